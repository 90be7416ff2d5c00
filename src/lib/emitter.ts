// Tiny event emitter for on('sent' | 'failed' | 'dropped' | 'decision'). A listener that
// throws is the host's bug: it is reported in debug and never stops delivery.
export function createEmitter<M>(warn: (...a: unknown[]) => void) {
  // No prototype: on('toString') or on('constructor') from page code must find no list.
  const listeners: { [K in keyof M]?: Array<(info: M[K]) => void> } = Object.create(null);
  return {
    on<K extends keyof M>(name: K, fn: (info: M[K]) => void): () => void {
      const list = listeners[name] || (listeners[name] = []);
      list.push(fn);
      return () => {
        const i = list.indexOf(fn);
        if (i >= 0) list.splice(i, 1);
      };
    },
    emit<K extends keyof M>(name: K, info: M[K]): void {
      for (const fn of (listeners[name] || []).slice()) {
        try {
          fn(info);
        } catch (e) {
          warn(`${String(name)} listener threw`, e);
        }
      }
    },
  };
}
