// `npm run demo`: the collector on :8787 and the demo site on :8080. Two origins on
// purpose, so the browser really does CORS (simple requests, preflights, sendBeacon)
// the way it will against a production collector. Data is kept in .data/ between
// runs; `--reset` starts from nothing. Ctrl-C stops both servers cleanly.
import { existsSync } from 'node:fs';
import type { Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import { onShutdown, parseFlags, portFlag, wipeDatabase } from './cli';
import { startCollector } from './index';
import { startStaticServer } from './static';

const root = fileURLToPath(new URL('../../', import.meta.url));

async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2));
  const dbPath = typeof flags.db === 'string' ? flags.db : `${root}.data/tutti.db`;
  if (flags.reset) wipeDatabase(dbPath);

  const collector = await startCollector({
    port: portFlag(flags.port, process.env.PORT, 8787),
    host: '127.0.0.1',
    dbPath,
    writeKeys: ['demo-key'],
  });
  let site: Server;
  try {
    site = await startStaticServer({ '/': `${root}examples/site`, '/dist': `${root}dist` }, portFlag(flags['site-port'], undefined, 8080), '127.0.0.1', '/index.html');
  } catch (err) {
    await collector.close();
    throw err;
  }
  const { port: sitePort } = site.address() as { port: number };
  const siteUrl = `http://127.0.0.1:${sitePort}`;

  onShutdown(async () => {
    console.log('\n  stopping…');
    site.closeAllConnections();
    await Promise.all([new Promise<void>((r) => site.close(() => r())), collector.close()]);
  });

  console.log(`
  Tutti demo${flags.reset ? ' (data reset)' : ''}
    site        ${siteUrl}/
    campaign    ${siteUrl}/?utm_source=wechat&utm_medium=social&utm_campaign=spring
    collector   ${collector.url}/   live events, profiles, attribution
    data        ${dbPath}

  Ctrl-C to stop.
`);
  if (!existsSync(`${root}dist/tutti.min.js`)) {
    console.warn('  dist/tutti.min.js is missing: run `npm run build` (npm run demo does it for you).\n');
  }
  if (collector.url !== 'http://127.0.0.1:8787') {
    console.warn(`  note: the site's script tag points at http://127.0.0.1:8787, the collector is on ${collector.url}.\n`);
  }
}

main().catch((err) => {
  console.error(`demo: ${err.message ?? err}`);
  process.exit(1);
});
