// In Node the SDK must never be what keeps a process running: a script that tracks
// against a collector that is down exits on its own instead of waiting out the backoff.
import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

const root = resolve(__dirname, '../..');
let server: Server | undefined;
afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

/** Runs `body` in a child node (tsx) with `core` imported from src; resolves with its exit time in ms, or -1 when killed at `limit`. */
function run(body: string, limit: number): Promise<{ ms: number; out: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'tutti-exit-'));
  const file = join(dir, 'child.ts');
  writeFileSync(file, `import { createCore } from ${JSON.stringify(join(root, 'src/index.ts'))};\n${body}\n`);
  const t0 = Date.now();
  const child = spawn(process.execPath, ['--import', 'tsx', file], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  return new Promise((done) => {
    const kill = setTimeout(() => child.kill('SIGKILL'), limit);
    child.on('exit', (code) => {
      clearTimeout(kill);
      done({ ms: code === null ? -1 : Date.now() - t0, out });
    });
  });
}

/** A collector that answers every request with 503; counts them. */
function failing(): Promise<{ url: string; hits: () => number }> {
  let hits = 0;
  server = createServer((req, res) => {
    hits++;
    req.resume();
    req.on('end', () => res.writeHead(503).end());
  });
  return new Promise((r) => server!.listen(0, '127.0.0.1', () => r({ url: `http://127.0.0.1:${(server!.address() as { port: number }).port}`, hits: () => hits })));
}

describe('Node processes', () => {
  it('exit by themselves while the queue waits out a retry backoff', async () => {
    const collector = await failing();
    const { ms, out } = await run(
      `const t = createCore(() => ({}));
t.init({ writeKey: 'wk', endpoint: ${JSON.stringify(collector.url)}, flushInterval: 20, retry: { baseDelay: 60000, maxDelay: 60000 } });
t.track('Started');`,
      15000,
    );
    expect(out).toBe('');
    expect(collector.hits()).toBeGreaterThanOrEqual(1);
    expect(ms).toBeGreaterThan(0); // -1: it had to be killed
    expect(ms).toBeLessThan(15000);
  });
});
