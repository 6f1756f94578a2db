/**
 * The forwarder's defaults, written in one place, and the checks that make a bad configuration
 * fail at creation time with a `TouchpointConfigError` naming the field.
 */
import { MAX_BATCH_BYTES, MAX_BATCH_EVENTS, TouchpointConfigError, type TouchpointDefinitions } from '@touchpoint/core';
import { checkDataPolicy } from './data-policy.js';
import type { ForwarderOptions } from './forwarder.js';
import type { BatchOptions } from './types.js';

export const FORWARDER_DEFAULTS = {
  batch: { maxEvents: MAX_BATCH_EVENTS, maxBytes: MAX_BATCH_BYTES, maxWaitMs: 1000 },
  retry: { maxAttempts: 8, baseMs: 500, maxMs: 30_000 },
  concurrency: 4,
  timeoutMs: 15_000,
  maxQueueEvents: 10_000,
} as const;

function positive(value: unknown, field: string, integer = true): void {
  if (value === undefined) return;
  if (
    typeof value !== 'number' ||
    !Number.isFinite(value) ||
    value < (integer ? 1 : 0) ||
    (integer && !Number.isInteger(value))
  ) {
    throw new TouchpointConfigError(
      field,
      `must be a ${integer ? 'positive integer' : 'non-negative number'}, got ${JSON.stringify(value)}`,
    );
  }
}

function checkBatch(batch: Partial<BatchOptions> | undefined, field: string): void {
  if (batch === undefined) return;
  positive(batch.maxEvents, `${field}.maxEvents`);
  positive(batch.maxBytes, `${field}.maxBytes`);
  positive(batch.maxWaitMs, `${field}.maxWaitMs`, false);
}

export function resolveForwarderConfig(options: ForwarderOptions<TouchpointDefinitions | undefined>) {
  if (typeof options !== 'object' || options === null)
    throw new TouchpointConfigError('options', 'createForwarder needs an options object');
  if (!Array.isArray(options.destinations))
    throw new TouchpointConfigError(
      'destinations',
      'must be an array of destinations, e.g. [destinations.jsonl({ path })]',
    );
  const names = new Set<string>();
  options.destinations.forEach((d, i) => {
    const at = `destinations[${i}]`;
    if (typeof d !== 'object' || d === null || typeof d.send !== 'function')
      throw new TouchpointConfigError(at, 'must be an object with name and send(events)');
    if (typeof d.name !== 'string' || d.name === '')
      throw new TouchpointConfigError(`${at}.name`, 'must be a non-empty string');
    if (names.has(d.name))
      throw new TouchpointConfigError(`${at}.name`, `"${d.name}" is used twice; give each destination its own name`);
    names.add(d.name);
    checkBatch(d.batch, `${at}.batch`);
    positive(d.concurrency, `${at}.concurrency`);
    checkDataPolicy(d.policy, `${at}.policy`);
  });
  checkBatch(options.batch, 'batch');
  positive(options.retry?.maxAttempts, 'retry.maxAttempts');
  positive(options.retry?.baseMs, 'retry.baseMs', false);
  positive(options.retry?.maxMs, 'retry.maxMs', false);
  positive(options.concurrency, 'concurrency');
  positive(options.timeoutMs, 'timeoutMs');
  positive(options.maxQueueEvents, 'maxQueueEvents');
  if (
    options.deadLetter !== undefined &&
    (typeof options.deadLetter?.path !== 'string' || options.deadLetter.path === '')
  ) {
    throw new TouchpointConfigError('deadLetter.path', 'must be a file path');
  }
  if (options.rules !== undefined && !Array.isArray(options.rules))
    throw new TouchpointConfigError('rules', 'must be an array of rules, e.g. [feedbackAlert({ notify })]');
  return {
    batch: { ...FORWARDER_DEFAULTS.batch, ...options.batch },
    retry: { ...FORWARDER_DEFAULTS.retry, ...options.retry },
    concurrency: options.concurrency ?? FORWARDER_DEFAULTS.concurrency,
    timeoutMs: options.timeoutMs ?? FORWARDER_DEFAULTS.timeoutMs,
    maxQueueEvents: options.maxQueueEvents ?? FORWARDER_DEFAULTS.maxQueueEvents,
  };
}
