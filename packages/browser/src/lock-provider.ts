/**
 * The lock contract shared by the two ways a tab holds its owner locks: Web Locks
 * (`tab-ownership.ts`) and the localStorage lease that stands in for them (`tab-lease.ts`).
 * Its own file so that neither of the two imports the other's types. Names ending in `_` are
 * internal and shortened by the build (see tsup.config.ts).
 */

/** Exclusive, non-blocking named locks held until `release_()`. */
export interface LockProvider {
  /** Takes the lock `name` if no one holds it; `true` when this tab now holds it. */
  claim_(name: string): Promise<boolean>;
  /** Lets go of every lock this provider holds. */
  release_(): void;
}
