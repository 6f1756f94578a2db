/** Options every destination factory accepts besides its own. */
import { TouchpointConfigError } from '@touchpoint/core';
import { checkDataPolicy } from '../data-policy.js';
import type { BatchOptions, DataPolicy, Destination } from '../types.js';

export interface CommonDestinationOptions {
  /** Unique name among the forwarder's destinations (defaults to the destination kind). */
  name?: string;
  /** Fields to drop or hash before this destination sees an event. */
  policy?: DataPolicy;
  /** Batching for this destination only. */
  batch?: Partial<BatchOptions>;
  /** Deliveries in flight at once. */
  concurrency?: number;
}

/** Copies the common options onto a destination, checking the policy at creation time. */
export function withCommon(
  kind: string,
  options: CommonDestinationOptions,
  destination: Omit<Destination, 'name'>,
): Destination {
  if (options.name !== undefined && (typeof options.name !== 'string' || options.name === '')) {
    throw new TouchpointConfigError(`${kind}.name`, 'must be a non-empty string');
  }
  checkDataPolicy(options.policy, `${kind}.policy`);
  return {
    name: options.name ?? kind,
    ...destination,
    ...(options.policy !== undefined && { policy: options.policy }),
    ...(options.batch !== undefined && { batch: options.batch }),
    ...(options.concurrency !== undefined && { concurrency: options.concurrency }),
  };
}
