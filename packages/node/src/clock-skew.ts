/**
 * Server-side stamping: `receivedAt` from the server's clock, and the event's `timestamp`
 * corrected for the client's clock skew the way Segment does it —
 * `timestamp = receivedAt - (sentAt - timestamp)` — which keeps how long ago the event happened
 * (by the client's own clock) and anchors it to the server's. Network latency is within the error.
 */
import type { TouchpointEvent } from '@touchpoint/core';

/**
 * Stamps events of one batch in place. `sentAt` is the batch's (falling back to each event's own).
 * Events whose timestamps cannot be read are left as they are.
 *
 * @example
 * stampReceived(batch.batch, batch.sentAt, Date.now());
 */
export function stampReceived(events: TouchpointEvent[], batchSentAt: string | undefined, receivedAtMs: number): void {
  const receivedAt = new Date(receivedAtMs).toISOString();
  const batchSent = batchSentAt === undefined ? Number.NaN : Date.parse(batchSentAt);
  for (const event of events) {
    // The batch's sentAt is this attempt's; an event's own may be from an earlier attempt.
    const sent = !Number.isNaN(batchSent)
      ? batchSent
      : event.sentAt !== undefined
        ? Date.parse(event.sentAt)
        : Number.NaN;
    const at = Date.parse(event.timestamp);
    if (!Number.isNaN(sent) && !Number.isNaN(at)) {
      const corrected = receivedAtMs - (sent - at);
      if (corrected !== at) event.timestamp = new Date(corrected).toISOString();
    }
    if (batchSentAt !== undefined) event.sentAt = batchSentAt;
    event.receivedAt = receivedAt;
  }
}
