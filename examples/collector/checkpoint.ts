// WAL checkpoints off the request path. In WAL mode every commit appends pages to the
// -wal file; a checkpoint copies them back into the database and fsyncs. SQLite's
// automatic checkpoint runs inside the committing call, so with better-sqlite3 (which is
// synchronous) it would stall the event loop for tens of milliseconds at a time: the
// latency spikes of a busy collector. A worker thread with its own connection runs
// PASSIVE checkpoints instead, which never block the writer; the writer keeps a large
// automatic checkpoint only as a backstop in case the worker cannot keep up.
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** How often the worker checkpoints, ms. */
const INTERVAL = 200;

// Plain CommonJS evaluated in the worker: no TypeScript loader is needed there (tests,
// tsx and plain node all run it the same way).
const WORKER_SOURCE = `
const { workerData, parentPort } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.dbPath);
db.pragma('busy_timeout = 1000');
const timer = setInterval(() => {
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch (err) { parentPort.postMessage(String(err && err.message)); }
}, workerData.interval);
parentPort.on('message', (msg) => {
  if (msg !== 'stop') return;
  clearInterval(timer);
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch {}
  db.close();
  parentPort.postMessage('stopped');
});
`;

export class Checkpointer {
  private readonly worker: Worker;

  constructor(dbPath: string, log: (message: string) => void) {
    const driver = createRequire(import.meta.url).resolve('better-sqlite3');
    this.worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { dbPath, driver, interval: INTERVAL } });
    this.worker.on('message', (msg) => msg !== 'stopped' && log(`checkpoint: ${msg}`));
    this.worker.on('error', (err) => log(`checkpoint worker failed: ${err.message}`));
    // Never keeps the process alive on its own.
    this.worker.unref();
  }

  /** Runs a last checkpoint and closes the worker's connection (bounded wait). */
  async stop(): Promise<void> {
    const stopped = new Promise<void>((resolve) => {
      this.worker.on('message', (msg) => msg === 'stopped' && resolve());
      this.worker.once('exit', () => resolve());
    });
    this.worker.postMessage('stop');
    await Promise.race([stopped, new Promise((r) => setTimeout(r, 2000))]);
    await this.worker.terminate();
  }
}
