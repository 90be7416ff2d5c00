// The outbox in memory: the core's default, and every platform's last resort when
// persistent storage is blocked or full.
import type { OutboxStore, QueuedEvent } from '../platform';

export function memoryOutbox(): OutboxStore {
  const records = new Map<string, QueuedEvent>();
  return {
    async put(list) {
      for (const r of list) records.set(r.id, r);
    },
    async remove(ids) {
      for (const id of ids) records.delete(id);
    },
    async all() {
      return Array.from(records.values());
    },
    async clear() {
      records.clear();
    },
  };
}
