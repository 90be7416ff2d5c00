// Flag parsing shared by server.ts and demo.ts (no dependency: a handful of flags).
import { rmSync } from 'node:fs';

export interface Flags {
  [name: string]: string | boolean | undefined;
}

/** `--name value`, `--name=value` and bare `--flag` (true). */
export function parseFlags(argv: string[]): Flags {
  const flags: Flags = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) continue;
    const eq = arg.indexOf('=');
    if (eq > 0) flags[arg.slice(2, eq)] = arg.slice(eq + 1);
    else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) flags[arg.slice(2)] = argv[++i];
    else flags[arg.slice(2)] = true;
  }
  return flags;
}

export function portFlag(value: string | boolean | undefined, env: string | undefined, fallback: number): number {
  const raw = typeof value === 'string' ? value : env;
  const n = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`invalid port ${raw}`);
  return n;
}

/**
 * Deletes a SQLite database and its WAL/SHM side files. Only these files: `--db` may
 * point anywhere, so the folder around it is never removed.
 */
export function wipeDatabase(dbPath: string): void {
  if (dbPath === ':memory:') return;
  for (const suffix of ['', '-wal', '-shm', '-journal']) rmSync(dbPath + suffix, { force: true });
}

/** Stops cleanly on Ctrl-C / SIGTERM; a second signal exits at once. */
export function onShutdown(stop: () => Promise<void>): void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) process.exit(130);
    stopping = true;
    stop().then(
      () => process.exit(0),
      (err) => {
        console.error(`error while stopping on ${signal}:`, err);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
}
