/**
 * What a dead letter is: an event one destination refused for good (or that grew older than
 * `maxAgeMs`), with why. Dead letters are a log of their own per destination
 * (`EventLog.deadLetters`), written by the destination queue before it acks the event in the main
 * log, listed by `forwarder.deadLetters(name)` and sent again by `forwarder.replay(name)`.
 */
import type { TouchpointEvent } from '@touchpoint/core';
import type { DropReason } from './types.js';

/** One record of a destination's dead-letter log. */
export interface DeadLetterRecord {
  destination: string;
  reason: DropReason;
  message: string;
  /** When it was written, ISO 8601. */
  at: string;
  event: TouchpointEvent;
}
