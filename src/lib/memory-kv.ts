// Key/value storage in memory: the core's default and every platform's fallback.
import type { KeyValueStore } from '../platform';

export function memoryKV(): KeyValueStore {
  const map = new Map<string, string>();
  return {
    get: (k) => (map.has(k) ? (map.get(k) as string) : null),
    set: (k, v) => void map.set(k, v),
    remove: (k) => void map.delete(k),
  };
}
