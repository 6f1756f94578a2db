/**
 * The stand-in for Web Locks in browsers without them: a lease in localStorage. The holder
 * renews it every few seconds; a lease not renewed for `LEASE_MS` counts as released (its tab
 * closed or crashed). Loaded only where `navigator.locks` is missing.
 */
import type { Clock } from '@touchpoint/core';
import type { KeyValue } from './environment.js';
import type { LockProvider } from './lock-provider.js';

const LEASE_MS = 15_000;
const RENEW_MS = 5_000;

export function createLeaseLocks(kv: KeyValue, clock: Clock, holder: string): LockProvider {
  const held = new Set<string>();
  let renewTimer: unknown;
  // Lease value: `<holder id> <expiry ms>`.
  const renew = () => {
    const until = clock.now() + LEASE_MS;
    for (const name of held) kv.set(name, `${holder} ${until}`);
    renewTimer = clock.setTimeout(renew, RENEW_MS);
  };
  renew();
  return {
    async claim_(name) {
      const [other, until] = (kv.get(name) ?? '').split(' ');
      if (other && other !== holder && Number(until) > clock.now()) return false;
      kv.set(name, `${holder} ${clock.now() + LEASE_MS}`);
      // localStorage has no compare-and-set: let a racing tab write, then see who won.
      await new Promise((resolve) => setTimeout(resolve, 30));
      if (!kv.get(name)?.startsWith(holder)) return false;
      held.add(name);
      return true;
    },
    release_() {
      clock.clearTimeout(renewTimer);
      for (const name of held) kv.remove(name);
      held.clear();
    },
  };
}
