// CLI: `tsx examples/collector/server.ts [--port 8787] [--host 127.0.0.1] [--db .data/tutti.db]
//      [--rules file.json] [--write-keys k1,k2 | '*'] [--forward-url URL --forward-key KEY]
//      [--static /=examples/site,/dist=dist] [--reset] [--quiet]`
// PORT and HOST environment variables are honoured when the flags are absent.
import { parseFlags, onShutdown, portFlag, wipeDatabase } from './cli';
import { startCollector } from './index';
import type { CollectorOptions } from './types';

const USAGE = `Tutti reference collector
  --port N          listen port (env PORT; default 8787; 0 = any free port)
  --host H          listen address (env HOST; default 127.0.0.1)
  --db PATH         SQLite file (default .data/tutti.db; ':memory:' keeps nothing)
  --rules FILE      decide rules (default examples/collector/rules.json)
  --write-keys K,K  accepted write keys, or '*' for any (default demo-key)
  --forward-url U   also forward accepted events to a Segment-compatible pipeline
  --forward-key K   write key for the forward pipeline (Basic auth)
  --static P=DIR,…  serve folders, e.g. /=examples/site,/dist=dist
  --reset           delete the database before starting
  --quiet           no log lines`;

async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2));
  if (flags.help || flags.h) {
    console.log(USAGE);
    return;
  }
  const str = (name: string) => (typeof flags[name] === 'string' ? (flags[name] as string) : undefined);
  const dbPath = str('db') ?? '.data/tutti.db';
  if (flags.reset) {
    wipeDatabase(dbPath);
    console.log(`[collector] reset: deleted ${dbPath}`);
  }
  const keys = str('write-keys');
  const options: CollectorOptions = {
    port: portFlag(flags.port, process.env.PORT, 8787),
    host: str('host') ?? (process.env.HOST || '127.0.0.1'),
    dbPath,
    rules: str('rules'),
    writeKeys: keys === '*' ? '*' : keys ? keys.split(',').map((k) => k.trim()).filter(Boolean) : undefined,
    quiet: !!flags.quiet,
  };
  const forwardUrl = str('forward-url');
  if (forwardUrl) options.forward = { url: forwardUrl, writeKey: str('forward-key') ?? '' };
  const mounts = str('static');
  if (mounts) {
    options.static = Object.fromEntries(mounts.split(',').map((m) => m.split('=') as [string, string]));
  }
  const collector = await startCollector(options);
  onShutdown(() => collector.close());
  // One machine-readable line, also when quiet: scripts and tests wait for it, so it
  // comes after the signal handlers are in place.
  console.log(`Tutti collector listening on ${collector.url}`);
}

main().catch((err) => {
  console.error(`[collector] ${err.message ?? err}`);
  process.exit(1);
});
