/**
 * The one check of a retention period, shared by every store that expires data (the forwarder's
 * log, the case book, the consent ledger, the privacy layer), so they refuse the same inputs with
 * the same words.
 */
import { TouchpointConfigError } from '@touchpoint/core';

/** Returns `days` when it is a finite number above 0; throws `TouchpointConfigError` naming `field` otherwise. */
export function checkRetentionDays(days: unknown, field: string): number {
  if (typeof days !== 'number' || !(days > 0) || !Number.isFinite(days))
    throw new TouchpointConfigError(field, `must be a positive number of days, got ${JSON.stringify(days)}`);
  return days;
}
