/**
 * Which tab may send which stored events. Every tab owns the events it records, under an owner
 * id it holds a lock for as long as it lives; a tab only ever sends events whose owner lock it
 * holds, so two open tabs never send the same stored event. When a tab closes, its lock is
 * released and another tab (or the next page load) claims it and adopts its events.
 *
 * Locks are Web Locks (`navigator.locks`), which the browser releases when a tab dies, even in
 * a crash. Browsers without them load a localStorage lease instead (`tab-lease.ts`).
 */
import type { Clock } from '@touchpoint/core';
import type { KeyValue } from './environment.js';
import type { LockProvider } from './lock-provider.js';
import { createMessageId } from './message-id.js';

export interface TabOwnership {
  /** This tab's owner id. */
  readonly id_: string;
  /** Resolves once this tab holds its own lock (events are stored only after that). */
  readonly ready_: Promise<unknown>;
  /** Tries to take over a (closed) tab's lock; `true` when this tab now holds it. */
  claim_(owner: string): Promise<boolean>;
  /** Lets go of every lock (page exit, destroy). */
  release_(): void;
}

interface LockManagerLike {
  request(name: string, options: { ifAvailable: boolean }, callback: (lock: unknown) => unknown): Promise<unknown>;
}

function webLocks(locks: LockManagerLike): LockProvider {
  const releases: (() => void)[] = [];
  return {
    claim_: (name) =>
      new Promise((resolve) => {
        locks
          .request(name, { ifAvailable: true }, (lock) => {
            resolve(!!lock);
            // Holding the callback's promise open holds the lock.
            return lock && new Promise<void>((release) => releases.push(release));
          })
          .catch(() => resolve(false));
      }),
    release_() {
      for (const release of releases.splice(0)) release();
    },
  };
}

export function createTabOwnership(namespace: string, kv: KeyValue, clock: Clock): TabOwnership {
  const id = createMessageId();
  const lockName = (owner: string) => `tp:${namespace}:owner:${owner}`;
  const locks = (globalThis.navigator as { locks?: LockManagerLike } | undefined)?.locks;
  const provider: Promise<LockProvider> = locks
    ? Promise.resolve(webLocks(locks))
    : import('./tab-lease.js').then((m) => m.createLeaseLocks(kv, clock, id));
  const claim = (owner: string) => provider.then((p) => p.claim_(lockName(owner))).catch(() => false);
  return {
    id_: id,
    ready_: claim(id),
    claim_: claim,
    release_() {
      void provider.then((p) => p.release_());
    },
  };
}
