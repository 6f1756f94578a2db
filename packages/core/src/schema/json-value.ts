/**
 * A bounded walk over untrusted JSON: rejects what could hurt a server (prototype keys, deep
 * nesting, huge strings, huge objects, non-JSON values) and returns a fresh copy built from
 * plain objects, so nothing the client sent is ever merged into a live object.
 *
 * Iteration depth is capped, so a nesting bomb costs at most MAX_DEPTH frames, never a stack overflow.
 */
import { MAX_DEPTH, MAX_KEYS, MAX_STRING_LENGTH } from '../limits.js';

export type PathKey = string | number;
export interface RawIssue {
  path: PathKey[];
  message: string;
}

/** Keys that can reach an object's prototype when copied by careless code downstream. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

export interface JsonLimits {
  maxDepth?: number;
  maxKeys?: number;
  maxStringLength?: number;
}

/**
 * Returns a clean copy of `value` if it is a JSON object within limits; records issues otherwise.
 */
export function cleanJsonObject(
  value: unknown,
  path: PathKey[],
  issues: RawIssue[],
  limits: JsonLimits = {},
): Record<string, unknown> | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    issues.push({ path, message: `must be an object, got ${describe(value)}` });
    return undefined;
  }
  const out = cleanValue(value, path, issues, 1, {
    maxDepth: limits.maxDepth ?? MAX_DEPTH,
    maxKeys: limits.maxKeys ?? MAX_KEYS,
    maxStringLength: limits.maxStringLength ?? MAX_STRING_LENGTH,
  });
  return out as Record<string, unknown> | undefined;
}

function cleanValue(
  value: unknown,
  path: PathKey[],
  issues: RawIssue[],
  depth: number,
  limits: Required<JsonLimits>,
): unknown {
  switch (typeof value) {
    case 'string':
      if (value.length > limits.maxStringLength) {
        issues.push({
          path,
          message: `string is ${value.length} characters; at most ${limits.maxStringLength} are allowed`,
        });
        return undefined;
      }
      return value;
    case 'number':
      if (!Number.isFinite(value)) {
        issues.push({ path, message: 'numbers must be finite' });
        return undefined;
      }
      return value;
    case 'boolean':
      return value;
    case 'object': {
      if (value === null) return null;
      if (depth > limits.maxDepth) {
        issues.push({ path, message: `nested deeper than ${limits.maxDepth} levels` });
        return undefined;
      }
      if (Array.isArray(value)) {
        if (value.length > limits.maxKeys) {
          issues.push({ path, message: `array has ${value.length} items; at most ${limits.maxKeys} are allowed` });
          return undefined;
        }
        const arr: unknown[] = new Array(value.length);
        for (let i = 0; i < value.length; i++) arr[i] = cleanValue(value[i], [...path, i], issues, depth + 1, limits);
        return arr;
      }
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) {
        issues.push({ path, message: 'must be a plain JSON object' });
        return undefined;
      }
      const keys = Object.keys(value);
      if (keys.length > limits.maxKeys) {
        issues.push({ path, message: `object has ${keys.length} keys; at most ${limits.maxKeys} are allowed` });
        return undefined;
      }
      const obj: Record<string, unknown> = {};
      for (const key of keys) {
        if (FORBIDDEN_KEYS.has(key)) {
          issues.push({ path: [...path, key], message: `the key "${key}" is not allowed` });
          continue;
        }
        if (key.length > 256) {
          issues.push({ path, message: 'object keys must be at most 256 characters' });
          continue;
        }
        const v = (value as Record<string, unknown>)[key];
        if (v === undefined) continue; // JSON.stringify would drop it too
        obj[key] = cleanValue(v, [...path, key], issues, depth + 1, limits);
      }
      return obj;
    }
    default:
      issues.push({ path, message: `${typeof value} is not a JSON value` });
      return undefined;
  }
}

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}
