/**
 * `destinations.fn`: any backend, as a function. Resolve to deliver, throw to retry, or return a
 * `DeliveryResult` to say precisely what happened. `erase` does the same for an erasure.
 */
import { TouchpointConfigError } from '@touchpoint/core';
import type { Destination } from '../types.js';
import { type CommonDestinationOptions, withCommon } from './options.js';

export interface FnDestinationOptions extends CommonDestinationOptions {
  close?: () => Promise<void>;
  /**
   * Erases a customer in this backend (see `createPrivacy().erase()`): resolve when done, throw
   * or return a retryable `DeliveryResult` to be retried. Without it, erasures record this
   * destination as `unsupported`.
   */
  erase?: Destination['erase'];
}

/**
 * @example
 * destinations.fn(async (events) => { await db.insert('touchpoints', events); }, {
 *   name: 'postgres',
 *   erase: async (request) => { await db.delete('touchpoints', { userId: request.userIds }); },
 * });
 */
export function fn(send: Destination['send'], options: FnDestinationOptions = {}): Destination {
  if (typeof send !== 'function')
    throw new TouchpointConfigError('fn', 'needs a function: destinations.fn(async (events) => { … })');
  if (options.erase !== undefined && typeof options.erase !== 'function')
    throw new TouchpointConfigError('fn.erase', 'must be a function: async (request) => { … }');
  return withCommon('fn', options, {
    send,
    ...(options.close && { close: options.close }),
    ...(options.erase && { erase: options.erase }),
  });
}
