/**
 * Remembers which message ids were already seen, so beacons and client retries that resend an
 * event are forwarded once. The store interface is async so several server instances can share
 * one window (see `createRedisDedupeStore`); the in-memory default is bounded in both time and
 * count, so it can never grow without limit.
 *
 * What a window holds is message ids and their expiry, nothing else; `forget` removes the ids of
 * an erased customer's events (see `createPrivacy().erase()`), so no store keeps them for the
 * rest of the window.
 */

/** Shared dedupe window. `claim` marks ids as seen and says, per id, whether it was new. */
export interface DedupeStore {
  /** `true` at index i when `ids[i]` had not been claimed within `ttlMs`; claims it either way. */
  claim(ids: readonly string[], ttlMs: number): Promise<boolean[]>;
  /**
   * Forgets claims whose events were not stored after all (the log refused them), so the
   * client's retry of the same ids is not mistaken for a duplicate. Optional for custom stores.
   */
  release?(ids: readonly string[]): Promise<void>;
  /**
   * Forgets these message ids (an erased customer's events), however long their window had to
   * run; resolves with how many were held, once they are gone. Optional for custom stores.
   */
  forget?(messageIds: readonly string[]): Promise<number>;
}

export interface MemoryDedupeStoreOptions {
  /** Most ids remembered; the oldest are forgotten first (default 100 000). */
  maxIds?: number;
  /** Clock for expiry (default `Date.now`). */
  now?: () => number;
}

/** The in-memory window, with a synchronous `claimOne` for the forwarder's hot path. */
export interface MemoryDedupeStore extends DedupeStore {
  forget(messageIds: readonly string[]): Promise<number>;
  /** `true` when `id` is new within `ttlMs`, and claims it. */
  claimOne(id: string, ttlMs: number): boolean;
  readonly size: number;
}

/**
 * A bounded in-memory dedupe window: ids expire after their ttl, and past `maxIds` the oldest
 * are forgotten (so a flood of unique ids costs memory, never correctness beyond the window).
 *
 * @example
 * const store = createMemoryDedupeStore({ maxIds: 50_000 });
 * await store.claim(['a', 'a', 'b'], 60_000); // [true, false, true]
 */
export function createMemoryDedupeStore(options: MemoryDedupeStoreOptions = {}): MemoryDedupeStore {
  const maxIds = options.maxIds ?? 100_000;
  const now = options.now ?? Date.now;
  // Map keeps insertion order, and every id is inserted with a ttl no shorter than those before
  // it in practice, so the oldest entries are at the front: expiry and eviction pop from there.
  const expires = new Map<string, number>();

  let claims = 0;

  function prune(at: number): void {
    for (const [id, until] of expires) {
      if (until > at && expires.size <= maxIds) break;
      expires.delete(id);
    }
  }

  function claimOne(id: string, ttlMs: number): boolean {
    const at = now();
    const until = expires.get(id);
    if (until !== undefined && until > at) return false;
    if (until !== undefined) expires.delete(id);
    expires.set(id, at + ttlMs);
    // Eviction and expiry both pop from the front; expiry is checked every 256 claims only.
    if (expires.size > maxIds) expires.delete(expires.keys().next().value!);
    if ((++claims & 255) === 0) prune(at);
    return true;
  }

  return {
    claimOne,
    async claim(ids, ttlMs) {
      return ids.map((id) => claimOne(id, ttlMs));
    },
    async release(ids) {
      for (const id of ids) expires.delete(id);
    },
    async forget(messageIds) {
      let forgotten = 0;
      for (const id of messageIds) if (expires.delete(id)) forgotten++;
      return forgotten;
    },
    get size() {
      return expires.size;
    },
  };
}
