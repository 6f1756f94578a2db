/**
 * Safe access to browser globals. Nothing here runs at import time, so importing the package on
 * a server (SSR) touches no browser global; every accessor tolerates a missing or throwing API
 * (storage disabled by privacy settings, sandboxed iframes).
 */

/** The window, or `undefined` on a server or in a worker. */
export function getWindow(): (Window & typeof globalThis) | undefined {
  return typeof window === 'undefined' || typeof document === 'undefined' ? undefined : window;
}

/** A key-value store: localStorage where it works, else an in-memory map for this page. */
export interface KeyValue {
  get(key: string): string | null;
  set(key: string, value: string): void;
  remove(key: string): void;
}

export function localKeyValue(): KeyValue {
  let storage: Storage | undefined;
  try {
    storage = getWindow()?.localStorage;
    storage?.getItem('');
  } catch {
    storage = undefined;
  }
  const memory = new Map<string, string>();
  return {
    get(key) {
      try {
        if (storage) return storage.getItem(key);
      } catch {}
      return memory.get(key) ?? null;
    },
    set(key, value) {
      try {
        if (storage) return storage.setItem(key, value);
      } catch {}
      memory.set(key, value);
    },
    remove(key) {
      try {
        storage?.removeItem(key);
      } catch {}
      memory.delete(key);
    },
  };
}

/** A short stable name for a tracker's storage, derived from its endpoint and write key. */
export function namespaceFor(endpoint: string, writeKey: string): string {
  let h = 5381;
  const text = `${endpoint}\n${writeKey}`;
  for (let i = 0; i < text.length; i++) h = ((h * 33) ^ text.charCodeAt(i)) >>> 0;
  return h.toString(36);
}
