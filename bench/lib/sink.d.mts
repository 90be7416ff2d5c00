// Types of sink.mjs for the TypeScript test suites.
export interface SinkRecord {
  sdk: string;
  method: string;
  path: string;
  status: number;
  bytes: number;
  bodyBytes: number;
  encoding: string | null;
  /** `bench_run:bench_seq` of every benchmark event found in the request. */
  ids: string[];
  at: number;
}

export interface Sink {
  url: string;
  log: SinkRecord[];
  count(run: string, sdk?: string): { unique: number; duplicates: number };
  requests(sdk: string, from?: number): SinkRecord[];
  down(): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
}

export declare function startSink(options?: { settings?: Record<string, unknown> }): Promise<Sink>;
