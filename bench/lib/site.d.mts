// Types of site.mjs for the TypeScript test suites.
export interface SiteOptions {
  /** Sent with every file besides its Content-Type; default: one-hour public caching and CORS `*`. */
  fileHeaders?: Record<string, string>;
  /** Honour `?delay=ms` on files (holds a script back). Default false. */
  delay?: boolean;
}

export interface StaticSite {
  url: string;
  /** Every path requested so far, served or not. */
  hits: string[];
  /** Every file served so far, with its body. */
  served: Array<{ path: string; body: Buffer }>;
  /** Serves `html` at `path` (e.g. '/a.html'); returns its URL. */
  page(path: string, html: string): string;
  /** Serves the files of folder `dir` under URL prefix `prefix` (e.g. '/dist/'). */
  mount(prefix: string, dir: string): void;
  /** Serves `buffer` at exactly `path`. */
  file(path: string, buffer: Buffer): void;
  resolveFile(pathname: string): Promise<Buffer | null>;
  close(): Promise<void>;
}

export declare function startSite(options?: SiteOptions): Promise<StaticSite>;
