// Static files (demo site, dist/, e2e pages) and the collector UI: content types, no
// way out of the served folders, and the UI's strict CSP.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCollector } from '../../examples/collector/index';
import type { CollectorHandle } from '../../examples/collector/index';
import { send } from './helpers';

let dir: string;
let c: CollectorHandle;
let bare: CollectorHandle;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'tutti-static-'));
  const site = join(dir, 'site');
  const dist = join(dir, 'dist');
  mkdirSync(join(site, 'docs'), { recursive: true });
  mkdirSync(dist);
  writeFileSync(join(dir, 'secret.txt'), 'TOP-SECRET');
  writeFileSync(join(site, 'index.html'), '<!doctype html><title>site</title>');
  writeFileSync(join(site, 'docs', 'index.html'), '<p>docs</p>');
  writeFileSync(join(site, 'style.css'), 'body{}');
  writeFileSync(join(site, 'logo.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  writeFileSync(join(site, 'data.json'), '{}');
  writeFileSync(join(site, 'blob.bin'), 'x');
  writeFileSync(join(dist, 'tutti.min.js'), 'window.tutti={};');
  symlinkSync(join(dir, 'secret.txt'), join(site, 'link.txt'));
  c = await startCollector({ port: 0, dbPath: ':memory:', quiet: true, static: { '/': site, '/dist': dist } });
  bare = await startCollector({ port: 0, dbPath: ':memory:', quiet: true });
});
afterAll(async () => {
  await c.close();
  await bare.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('static mounts', () => {
  it('serves files with their content type and nosniff', async () => {
    const cases: Array<[string, string]> = [
      ['/', 'text/html; charset=utf-8'],
      ['/index.html', 'text/html; charset=utf-8'],
      ['/style.css', 'text/css; charset=utf-8'],
      ['/logo.svg', 'image/svg+xml'],
      ['/data.json', 'application/json; charset=utf-8'],
      ['/blob.bin', 'application/octet-stream'],
      ['/dist/tutti.min.js', 'text/javascript; charset=utf-8'],
    ];
    for (const [path, type] of cases) {
      const res = await send(c.url, path);
      expect(res.status, path).toBe(200);
      expect(res.headers['content-type'], path).toBe(type);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
    }
    expect((await send(c.url, '/dist/tutti.min.js')).text).toBe('window.tutti={};');
    expect((await send(c.url, '/docs/')).text).toBe('<p>docs</p>');
  });

  it('redirects a folder without its slash, answers HEAD without a body, 404s the rest', async () => {
    const folder = await send(c.url, '/docs');
    expect(folder.status).toBe(301);
    expect(folder.headers.location).toBe('/docs/');
    const head = await send(c.url, '/style.css', undefined, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.text).toBe('');
    expect((await send(c.url, '/missing.js')).status).toBe(404);
    expect((await send(c.url, '/style.css', 'x', { method: 'PUT' })).status).toBe(404);
  });

  it('never serves anything outside the mounted folders', async () => {
    const attempts = [
      '/../secret.txt',
      '/%2e%2e/secret.txt',
      '/dist/..%2f..%2fsecret.txt',
      '/dist/%2e%2e%2f%2e%2e%2fsecret.txt',
      '/..%5csecret.txt',
      '/%2F..%2F..%2Fsecret.txt',
      '/link.txt', // a symlink leading out of the site folder
      '/secret.txt%00.html',
      '/%E0%A4%A',
    ];
    for (const path of attempts) {
      const res = await send(c.url, path);
      expect(res.status, path).toBe(404);
      expect(res.text, path).not.toContain('TOP-SECRET');
    }
  });
});

describe('collector UI', () => {
  it('is served at / when no static mount owns it, under a strict CSP', async () => {
    const page = await send(bare.url, '/');
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.text).toContain('<script src="/ui/app.js"></script>');
    const csp = page.headers['content-security-policy']!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    for (const asset of ['/ui/app.js', '/ui/style.css']) expect((await send(bare.url, asset)).status).toBe(200);
    expect((await send(bare.url, '/nothing-here')).status).toBe(404);
  });

  it('stays reachable under /ui/ when a site owns /', async () => {
    expect((await send(c.url, '/ui/')).text).toContain('Tutti');
    expect((await send(c.url, '/')).text).toContain('<title>site</title>');
  });

  it('renders collected data without innerHTML (collected data is untrusted)', () => {
    const source = readFileSync(new URL('../../examples/collector/ui/app.js', import.meta.url), 'utf8');
    expect(source).not.toMatch(/\.(innerHTML|outerHTML)\s*=|insertAdjacentHTML|document\.write|\beval\(|new Function/);
  });
});
