/**
 * `destinations.fn`: any backend, as a function. Resolve to deliver, throw to retry, or return a
 * `DeliveryResult` to say precisely what happened.
 */
import { TouchpointConfigError, type TouchpointEvent } from '@touchpoint/core';
import type { DeliveryResult, Destination } from '../types.js';
import { type CommonDestinationOptions, withCommon } from './options.js';

/**
 * @example
 * destinations.fn(async (events) => { await db.insert('touchpoints', events); }, { name: 'postgres' });
 */
export function fn(
  // biome-ignore lint/suspicious/noConfusingVoidType: `async (events) => {}` must fit, and it returns Promise<void>.
  send: (events: TouchpointEvent[], signal?: AbortSignal) => Promise<void | DeliveryResult>,
  options: CommonDestinationOptions & { close?: () => Promise<void> } = {},
): Destination {
  if (typeof send !== 'function')
    throw new TouchpointConfigError('fn', 'needs a function: destinations.fn(async (events) => { … })');
  return withCommon('fn', options, { send, ...(options.close && { close: options.close }) });
}
