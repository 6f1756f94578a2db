/**
 * Which tab may send which stored events. Every tab owns the events it records, under an owner
 * id it holds a lock for as long as it lives; a tab only ever sends events whose owner lock it
 * holds, so two open tabs never send the same stored event. When a tab closes, its lock is
 * released and another tab (or the next page load) claims it and adopts its events.
 *
 * Locks are Web Locks (`navigator.locks`) where available: the browser releases them when a tab
 * dies, even in a crash. Elsewhere a lease in localStorage stands in: the holder renews it every
 * few seconds, and a lease not renewed for `LEASE_MS` counts as released.
 */
import { type Clock, createMessageId } from '@touchpoint/core';
import type { KeyValue } from './environment.js';

const LEASE_MS = 15_000;
const RENEW_MS = 5_000;

export interface TabOwnership {
  /** This tab's owner id. */
  readonly id: string;
  /** Resolves once this tab holds its own lock (events are stored only after that). */
  readonly ready: Promise<void>;
  /** Tries to take over a (closed) tab's lock; `true` when this tab now holds it. */
  claim(owner: string): Promise<boolean>;
  /** Lets go of every lock (page exit, destroy). */
  release(): void;
}

interface LockManagerLike {
  request(
    name: string,
    options: { ifAvailable: boolean },
    callback: (lock: unknown) => Promise<void>,
  ): Promise<unknown>;
}

export function createTabOwnership(namespace: string, kv: KeyValue, clock: Clock): TabOwnership {
  const id = createMessageId().replace(/-/g, '');
  const locks = (globalThis.navigator as { locks?: LockManagerLike } | undefined)?.locks;
  const held = new Set<string>();
  const releases: (() => void)[] = [];
  let renewTimer: unknown;

  function lockName(owner: string): string {
    return `tp:${namespace}:owner:${owner}`;
  }

  function claimWithLock(owner: string): Promise<boolean> {
    return new Promise((resolve) => {
      locks!
        .request(lockName(owner), { ifAvailable: true }, (lock) => {
          resolve(!!lock);
          if (!lock) return Promise.resolve();
          held.add(owner);
          return new Promise<void>((release) => releases.push(release));
        })
        .catch(() => resolve(false));
    });
  }

  // Lease value: `<holder id> <expiry ms>`.
  function renew(): void {
    const until = clock.now() + LEASE_MS;
    for (const owner of held) kv.set(lockName(owner), `${id} ${until}`);
    renewTimer = clock.setTimeout(renew, RENEW_MS);
  }

  async function claimWithLease(owner: string): Promise<boolean> {
    const [holder, until] = (kv.get(lockName(owner)) ?? '').split(' ');
    if (holder && holder !== id && Number(until) > clock.now()) return false;
    kv.set(lockName(owner), `${id} ${clock.now() + LEASE_MS}`);
    // localStorage has no compare-and-set: let a racing tab write, then see who won.
    await new Promise((resolve) => setTimeout(resolve, 30));
    if (!kv.get(lockName(owner))?.startsWith(id)) return false;
    held.add(owner);
    return true;
  }

  let ready: Promise<void>;
  if (locks) {
    ready = claimWithLock(id).then(() => undefined);
  } else {
    held.add(id);
    renew();
    ready = Promise.resolve();
  }

  return {
    id,
    ready,
    claim: (owner) => (locks ? claimWithLock(owner) : claimWithLease(owner)),
    release() {
      for (const release of releases.splice(0)) release();
      if (!locks) {
        clock.clearTimeout(renewTimer);
        for (const owner of held) kv.remove(lockName(owner));
      }
      held.clear();
    },
  };
}
