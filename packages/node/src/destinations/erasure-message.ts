/**
 * The `identity.erased` message the webhook, http and nats destinations send when a customer is
 * erased: one JSON shape for every receiver, so a shop writes its handler once.
 *
 * Raw emails and phones stay out by default. The message tells a receiver whom to forget; it
 * must not spread the very data being erased to one more log (receivers often log bodies, queues
 * keep messages). A receiver that stored raw emails finds them by hashing its own copies the same
 * way (`sha256(normalizeEmail(email))`, hex), which is what `hashedEmails` holds. `includeRaw`
 * adds `emails` and `phones` for receivers that cannot hash what they keep.
 */
import type { ErasureRequest } from '../privacy/subject.js';

export const ERASURE_MESSAGE_TYPE = 'identity.erased';

/** What a receiver gets, as JSON. */
export interface ErasureMessage {
  type: typeof ERASURE_MESSAGE_TYPE;
  /** The erasure's id (`er_…`); the same on every retry, so receivers dedupe on it. */
  erasureId: string;
  requestedAt: string;
  userIds: string[];
  anonymousIds: string[];
  /** SHA-256 hex of each normalised email / phone. */
  hashedEmails: string[];
  hashedPhones: string[];
  accounts: { channel: string; id: string }[];
  /** Message ids of the customer's events this server still held (receivers may delete by them). */
  messageIds: string[];
  /** Only with `includeRaw: true`. */
  emails?: string[];
  phones?: string[];
}

/** The message for `request`; raw emails and phones only when `includeRaw`. */
export function erasureMessage(request: ErasureRequest, includeRaw = false): ErasureMessage {
  return {
    type: ERASURE_MESSAGE_TYPE,
    erasureId: request.erasureId,
    requestedAt: request.requestedAt,
    userIds: [...request.userIds],
    anonymousIds: [...request.anonymousIds],
    hashedEmails: [...request.hashedEmails],
    hashedPhones: [...request.hashedPhones],
    accounts: request.accounts.map(({ channel, id }) => ({ channel, id })),
    messageIds: [...request.messageIds],
    ...(includeRaw && { emails: [...request.emails], phones: [...request.phones] }),
  };
}
