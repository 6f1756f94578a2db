/**
 * A bounded walk over untrusted JSON: rejects what could hurt a server (prototype keys, deep
 * nesting, huge strings, huge objects, non-JSON values) and returns a fresh copy built from
 * plain objects, so nothing the client sent is ever merged into a live object.
 *
 * Iteration depth is capped, so a nesting bomb costs at most MAX_DEPTH frames, never a stack overflow.
 * The walk keeps one path stack and copies it only when it records an issue: valid input — nearly
 * all of it, on an ingest's or a forwarder's hot path — allocates nothing but the clean copy.
 */
import { MAX_DEPTH, MAX_KEYS, MAX_STRING_LENGTH } from '../limits.js';

export type PathKey = string | number;
export interface RawIssue {
  path: PathKey[];
  message: string;
}

/** Keys that can reach an object's prototype when copied by careless code downstream. */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

const DEFAULT_LIMITS: Required<JsonLimits> = {
  maxDepth: MAX_DEPTH,
  maxKeys: MAX_KEYS,
  maxStringLength: MAX_STRING_LENGTH,
};

export interface JsonLimits {
  maxDepth?: number;
  maxKeys?: number;
  maxStringLength?: number;
}

/**
 * Returns a clean copy of `value` if it is a JSON object within limits; records issues otherwise.
 * `path` is where `value` sits (issue paths start with it); it is used as a stack and restored.
 */
export function cleanJsonObject(
  value: unknown,
  path: PathKey[],
  issues: RawIssue[],
  limits?: JsonLimits,
): Record<string, unknown> | undefined {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    issues.push({ path: [...path], message: `must be an object, got ${describe(value)}` });
    return undefined;
  }
  const resolved = limits
    ? {
        maxDepth: limits.maxDepth ?? MAX_DEPTH,
        maxKeys: limits.maxKeys ?? MAX_KEYS,
        maxStringLength: limits.maxStringLength ?? MAX_STRING_LENGTH,
      }
    : DEFAULT_LIMITS;
  const out = cleanValue(value, path, issues, 1, resolved);
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
          path: [...path],
          message: `string is ${value.length} characters; at most ${limits.maxStringLength} are allowed`,
        });
        return undefined;
      }
      return value;
    case 'number':
      if (!Number.isFinite(value)) {
        issues.push({ path: [...path], message: 'numbers must be finite' });
        return undefined;
      }
      return value;
    case 'boolean':
      return value;
    case 'object': {
      if (value === null) return null;
      if (depth > limits.maxDepth) {
        issues.push({ path: [...path], message: `nested deeper than ${limits.maxDepth} levels` });
        return undefined;
      }
      if (Array.isArray(value)) {
        if (value.length > limits.maxKeys) {
          issues.push({
            path: [...path],
            message: `array has ${value.length} items; at most ${limits.maxKeys} are allowed`,
          });
          return undefined;
        }
        const arr: unknown[] = new Array(value.length);
        for (let i = 0; i < value.length; i++) {
          path.push(i);
          arr[i] = cleanValue(value[i], path, issues, depth + 1, limits);
          path.pop();
        }
        return arr;
      }
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) {
        issues.push({ path: [...path], message: 'must be a plain JSON object' });
        return undefined;
      }
      const keys = Object.keys(value);
      if (keys.length > limits.maxKeys) {
        issues.push({
          path: [...path],
          message: `object has ${keys.length} keys; at most ${limits.maxKeys} are allowed`,
        });
        return undefined;
      }
      const obj: Record<string, unknown> = {};
      for (const key of keys) {
        if (FORBIDDEN_KEYS.has(key)) {
          issues.push({ path: [...path, key], message: `the key "${key}" is not allowed` });
          continue;
        }
        if (key.length > 256) {
          issues.push({ path: [...path], message: 'object keys must be at most 256 characters' });
          continue;
        }
        const v = (value as Record<string, unknown>)[key];
        if (v === undefined) continue; // JSON.stringify would drop it too
        // Valid leaves (most of any event) are copied here without a call; anything else, including
        // every value that breaks a rule, goes through cleanValue for its checks and messages.
        if (
          v === null ||
          typeof v === 'boolean' ||
          (typeof v === 'number' && Number.isFinite(v)) ||
          (typeof v === 'string' && v.length <= limits.maxStringLength)
        ) {
          obj[key] = v;
          continue;
        }
        path.push(key);
        obj[key] = cleanValue(v, path, issues, depth + 1, limits);
        path.pop();
      }
      return obj;
    }
    default:
      issues.push({ path: [...path], message: `${typeof value} is not a JSON value` });
      return undefined;
  }
}

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}
