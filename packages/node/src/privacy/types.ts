/**
 * The shapes of `@touchpoint/node/privacy`: an erasure, its audit record, its status per
 * destination, and the consent records kept as proof. Types only.
 */
import type { IdentityRef } from '../cases/identity-key.js';

/** Where one destination stands on one erasure. */
export type DestinationErasureStatus =
  | { status: 'pending'; attempts: number; nextAttemptAt?: string; lastError?: string }
  | { status: 'done'; attempts: number; at: string }
  | { status: 'failed'; attempts: number; at: string; reason: string }
  /** The destination has no `erase`: the shop must erase there by hand (the audit says so). */
  | { status: 'unsupported' };

/** One store Touchpoint owns, as the audit records it. */
export interface StoreErasureResult {
  store: string;
  ok: boolean;
  /** Records removed or anonymised. */
  erased: number;
  /** Why it failed, or what an auditor should know; never personal data. */
  detail?: string;
}

/**
 * The audit record of one erasure. It holds no personal data: no identifiers, raw or hashed —
 * only counts, store and destination names, times, and who asked (an operator id or
 * `customer`, as the caller passes it).
 */
export interface ErasureRecord {
  id: string;
  /** When it was asked for, ISO 8601. */
  requestedAt: string;
  /** Who asked: an operator's id, `customer` for a self-service request, … (not the customer's ids). */
  requestedBy: string;
  reason?: string;
  /** How many identities the profile had (kinds only, e.g. `{ email: 1, anonymousId: 3 }`). */
  identityKinds: Record<string, number>;
  /** `erased` once every store is done; `partial` when a store failed (it is retried by `retryFailed()`). */
  stores: StoreErasureResult[];
  destinations: Record<string, DestinationErasureStatus>;
  /** `pending` while a destination is pending; `done` when every one is done or unsupported; `failed` otherwise. */
  status: 'pending' | 'done' | 'failed';
  /** When the stores were done, ISO 8601. */
  erasedAt?: string;
  /** When the last destination settled, ISO 8601. */
  completedAt?: string;
}

/** One consent decision, as kept for proof. */
export interface ConsentRecord {
  /** What was granted or refused. */
  consent: { analytics: boolean; personalization: boolean; marketing: boolean };
  /** The browser sent Global Privacy Control. */
  gpc: boolean;
  /** The policy text's version the customer saw (the tracker's `policyVersion`). */
  policyVersion?: string;
  /** When the customer decided, ISO 8601 (the event's timestamp). */
  at: string;
  /** The event it came from. */
  messageId: string;
  /** `banner`, `gpc`, `api`, … as the event says. */
  source?: string;
  /** Set once the customer was erased: the record stays as proof, their identifiers do not. */
  erasureId?: string;
}

/** What `createPrivacy()` returns. */
export interface Privacy {
  /**
   * Erases a customer everywhere Touchpoint holds data: resolves their whole profile from any one
   * identity, erases every store, then tells every destination (retried until done or failed).
   * Resolves with the audit record once the stores are erased; destinations may still be pending.
   */
  erase(
    identity: IdentityRef | IdentityRef[],
    options: { requestedBy: string; reason?: string },
  ): Promise<ErasureRecord>;
  /** Erasures, newest first, with each destination's status. */
  erasures(options?: { status?: ErasureRecord['status']; limit?: number }): Promise<ErasureRecord[]>;
  /** Consent records of a customer, oldest first. */
  consents(identity: IdentityRef): Promise<ConsentRecord[]>;
  /** Consent records kept for an erased customer, by the erasure's id. */
  consentsOfErasure(erasureId: string): Promise<ConsentRecord[]>;
  /** Resolves once no destination of any erasure is pending (or `timeoutMs` passed: `false`). */
  settled(options?: { timeoutMs?: number }): Promise<boolean>;
  /** Deletes what is older than the retention settings now (it also runs on its schedule). */
  applyRetention(): Promise<{ store: string; removed: number }[]>;
  close(): Promise<void>;
}
