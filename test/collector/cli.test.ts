// The CLI (server.ts) and `npm run demo` (demo.ts) as users run them: separate processes,
// started with tsx, stopped by signal.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ev, postBatch, send } from './helpers';

const root = fileURLToPath(new URL('../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'tutti-cli-'));
const children: ChildProcess[] = [];

afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Started {
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

/** Runs a script with tsx and waits until its output matches `ready`. */
async function run(script: string, args: string[], ready: RegExp, env: Record<string, string> = {}): Promise<Started & { match: RegExpExecArray }> {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, PORT: '', HOST: '', ...env },
  });
  children.push(child);
  let out = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const match = await new Promise<RegExpExecArray>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`not ready within 20 s:\n${out}`)), 20_000);
    const onData = (chunk: Buffer) => {
      out += chunk;
      const m = ready.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m);
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.on('exit', () => reject(new Error(`exited early:\n${out}`)));
  });
  return { child, match, output: () => out, exited };
}

describe('server.ts', () => {
  it('starts on the given port, ingests, and exits 0 on SIGTERM', async () => {
    const s = await run('examples/collector/server.ts', ['--port', '0', '--db', ':memory:', '--quiet', '--write-keys', 'k1,k2'], /listening on (http:\S+)\r?\n/);
    const url = s.match[1];
    expect((await postBatch(url, [ev()], { writeKey: 'k2' })).status).toBe(200);
    expect((await postBatch(url, [ev()], { writeKey: 'demo-key' })).status).toBe(401);
    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(0);
  }, 30_000);

  it('takes the port and host from PORT and HOST when no flag is given', async () => {
    const s = await run('examples/collector/server.ts', ['--db', ':memory:', '--quiet'], /listening on (http:\S+)\r?\n/, { PORT: '0', HOST: '127.0.0.1' });
    expect(s.match[1]).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(s.match[1]).not.toContain(':8787');
    s.child.kill('SIGTERM');
    expect(await s.exited).toBe(0);
  }, 30_000);

  it('keeps data in its database file between runs; --reset wipes it', async () => {
    const db = join(dir, 'cli.db');
    const start = (extra: string[] = []) => run('examples/collector/server.ts', ['--port', '0', '--db', db, ...extra], /listening on (http:\S+)\r?\n/);
    let s = await start();
    await postBatch(s.match[1], [ev(), ev()], { writeKey: 'demo-key' });
    s.child.kill('SIGINT');
    expect(await s.exited).toBe(0);

    s = await start();
    expect((await send(s.match[1], '/v1/stats')).json.events).toBe(2);
    s.child.kill('SIGINT');
    await s.exited;

    s = await start(['--reset']);
    expect((await send(s.match[1], '/v1/stats')).json.events).toBe(0);
    expect(s.output()).toContain('reset');
    s.child.kill('SIGINT');
    expect(await s.exited).toBe(0);
  }, 60_000);

  it('exits with an error on an invalid port', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'examples/collector/server.ts', '--port', 'abc'], { cwd: root, stdio: 'ignore' });
    children.push(child);
    expect(await new Promise((r) => child.on('exit', r))).toBe(1);
  }, 30_000);
});

describe('demo.ts', () => {
  it('serves the site on its own origin, the collector with CORS for it, and stops on SIGINT', async () => {
    const d = await run('examples/collector/demo.ts', ['--port', '0', '--site-port', '0', '--db', join(dir, 'demo.db')], /Ctrl-C to stop/);
    const out = d.output();
    const site = /site\s+(http:\S+?)\/\s/.exec(out)![1];
    const collector = /collector\s+(http:\S+?)\/\s/.exec(out)![1];
    expect(site).not.toBe(collector);

    const page = await send(site, '/');
    expect(page.status).toBe(200);
    expect(page.text).toContain('<script src="/dist/tutti.min.js" data-write-key="demo-key" data-endpoint="http://127.0.0.1:8787"');
    expect(page.text).toContain('<div data-tutti-slot="hero">');
    expect((await send(site, '/site.js')).status).toBe(200);
    // A reload of a pushState URL still gets the page.
    expect((await send(site, '/teas')).text).toContain('data-tutti-slot');

    const preflight = await send(collector, '/v1/batch', undefined, {
      method: 'OPTIONS',
      headers: { Origin: site, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-encoding' },
    });
    expect(preflight.headers['access-control-allow-origin']).toBe(site);
    expect((await postBatch(collector, [ev()], { writeKey: 'demo-key', headers: { Origin: site } })).status).toBe(200);

    d.child.kill('SIGINT');
    expect(await d.exited).toBe(0);
  }, 30_000);
});
