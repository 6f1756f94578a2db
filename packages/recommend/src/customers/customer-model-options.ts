/**
 * The customer model's options: their defaults (chosen on the validation split of the shared
 * data, see bench/customers.mjs) and their validation at creation, where a bad value throws a
 * `TouchpointConfigError` naming the field.
 */
import { TouchpointConfigError } from '@touchpoint/core';
import type { CustomerModelOptions } from './types.js';

/** Defaults, chosen on the validation split of ../shared/data/onlineretail-customers (bench/). */
export const CUSTOMER_MODEL_DEFAULTS = {
  ranker: 'learned',
  rankerTrees: 50,
  rankerDepth: 6,
  rankerLearningRate: 0.1,
  rankerTargets: 3,
  rankerMaxTargets: 5000,
  rankerExploreCandidates: 10,
  rankerRefitShare: 0.1,
  rankerAtVisit: false,
  exploreWeight: 0.05,
  exploreSlots: 0,
  exploreBelowShare: 0.25,
  exploreQueryItems: 16,
  gapQuantile: 0.3,
  gapDecay: 0.85,
  priorGapDays: 45,
  priorGapWeight: 3,
  tempoWindowDays: 14,
  tempoExponent: 2.5,
  dueShrinkOrders: 4,
} as const;

/** Throws a `TouchpointConfigError` for `field` unless `value` is a number and `ok`. */
export function check(field: string, value: number, ok: boolean, allowed: string): number {
  if (typeof value !== 'number' || Number.isNaN(value) || !ok)
    throw new TouchpointConfigError(field, `must be ${allowed}, got ${String(value)}`);
  return value;
}

/** Validated options with every default filled in. */
export function resolveOptions(o: CustomerModelOptions) {
  const d = CUSTOMER_MODEL_DEFAULTS;
  const v = { ...d, ...o };
  check('exploreWeight', v.exploreWeight, v.exploreWeight >= 0, 'a non-negative number');
  check(
    'exploreSlots',
    v.exploreSlots,
    Number.isInteger(v.exploreSlots) && v.exploreSlots >= 0,
    'a non-negative integer',
  );
  check('exploreBelowShare', v.exploreBelowShare, v.exploreBelowShare >= 0, 'a non-negative number');
  check(
    'exploreQueryItems',
    v.exploreQueryItems,
    Number.isInteger(v.exploreQueryItems) && v.exploreQueryItems > 0,
    'a positive integer',
  );
  check('gapQuantile', v.gapQuantile, v.gapQuantile > 0 && v.gapQuantile <= 1, 'in (0, 1]');
  check('gapDecay', v.gapDecay, v.gapDecay > 0 && v.gapDecay <= 1, 'in (0, 1]');
  check('priorGapDays', v.priorGapDays, v.priorGapDays > 0, 'a positive number of days');
  check('priorGapWeight', v.priorGapWeight, v.priorGapWeight >= 0, 'a non-negative number');
  check('tempoWindowDays', v.tempoWindowDays, v.tempoWindowDays > 0, 'a positive number of days');
  check('tempoExponent', v.tempoExponent, v.tempoExponent >= 0, 'a non-negative number');
  check('dueShrinkOrders', v.dueShrinkOrders, v.dueShrinkOrders >= 0, 'a non-negative number');
  if (v.ranker !== 'learned' && v.ranker !== 'frequency')
    throw new TouchpointConfigError('ranker', `must be 'learned' or 'frequency', got ${String(v.ranker)}`);
  for (const field of ['rankerTrees', 'rankerDepth', 'rankerTargets', 'rankerMaxTargets'] as const)
    check(field, v[field], Number.isInteger(v[field]) && v[field] > 0, 'a positive integer');
  check(
    'rankerExploreCandidates',
    v.rankerExploreCandidates,
    Number.isInteger(v.rankerExploreCandidates) && v.rankerExploreCandidates >= 0,
    'a non-negative integer',
  );
  check('rankerLearningRate', v.rankerLearningRate, v.rankerLearningRate > 0 && v.rankerLearningRate <= 1, 'in (0, 1]');
  check('rankerRefitShare', v.rankerRefitShare, v.rankerRefitShare >= 0, 'a non-negative number');
  if (typeof v.rankerAtVisit !== 'boolean')
    throw new TouchpointConfigError('rankerAtVisit', `must be true or false, got ${String(v.rankerAtVisit)}`);
  if (v.onError !== undefined && typeof v.onError !== 'function')
    throw new TouchpointConfigError('onError', `must be a function, got ${typeof v.onError}`);
  if (v.gapSpread !== undefined) check('gapSpread', v.gapSpread, v.gapSpread > 0, 'a positive number');
  return v;
}
