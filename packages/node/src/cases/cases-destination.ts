/**
 * Keeps the identity graph and the case book current from the forwarded stream: a plain
 * `Destination`, so it sits beside the warehouse and the webhook in `createForwarder` and gets
 * the forwarder's batching, retries, data policy and durable log. An event the case book refuses
 * (unknown case id, bad field) is reported through `onReject` and not retried — retrying would
 * not change the answer; a database error fails the batch so the forwarder retries it, and the
 * events already recorded are skipped by their message id.
 */
import type { TouchpointEvent } from '@touchpoint/core';
import { subjectOfRequest } from '../privacy/subject.js';
import type { Destination } from '../types.js';
import type { CaseBook } from './case-book.js';
import { CaseInputError } from './errors.js';

export interface CasesDestinationOptions {
  /** Destination name (default `cases`). */
  name?: string;
  /** An event the case book refused, with why. Default: `console.warn`. */
  onReject?: (event: TouchpointEvent, error: CaseInputError) => void;
}

/**
 * @example
 * createForwarder({ destinations: [destinations.http({ url }), casesDestination(cases, { onReject: (e, err) => log.warn(err.message) })] });
 */
export function casesDestination(book: CaseBook, options: CasesDestinationOptions = {}): Destination {
  const onReject = options.onReject ?? ((_event, error) => console.warn(`[touchpoint cases] ${error.message}`));
  return {
    name: options.name ?? 'cases',
    async send(events) {
      for (const event of events) {
        try {
          await book.record(event);
        } catch (error) {
          if (!(error instanceof CaseInputError)) throw error;
          onReject(event, error);
        }
      }
    },
    // `createPrivacy` erases the case book as a store (and the graph after it); the fan-out to this
    // destination confirms it by the request's ids, which also catches an event recorded from a
    // batch that was in flight meanwhile.
    async erase(request) {
      await book.erase(subjectOfRequest(request));
    },
  };
}
