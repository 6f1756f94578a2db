/**
 * A tiny typed event emitter. Listeners that throw are isolated so one bad handler in a shop's
 * code cannot stop the tracker or the other listeners. Its members end in `_`: internal, and
 * shortened by the build (the tracker hands `on_` to the shop as its public `on`).
 */
export interface Emitter<E> {
  on_<K extends keyof E>(type: K, fn: (value: E[K]) => void): () => void;
  emit_<K extends keyof E>(type: K, value: E[K]): void;
}

export function createEmitter<E>(): Emitter<E> {
  const listeners: { [K in keyof E]?: Set<(value: E[K]) => void> } = {};
  return {
    on_(type, fn) {
      const set = listeners[type] ?? new Set();
      listeners[type] = set.add(fn);
      return () => {
        set.delete(fn);
      };
    },
    emit_(type, value) {
      for (const fn of listeners[type] ?? []) {
        try {
          fn(value);
        } catch {
          // A listener's bug is the shop's to see in its own console; we keep going.
        }
      }
    },
  };
}
