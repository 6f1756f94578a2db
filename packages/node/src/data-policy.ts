/**
 * Per-destination data policy: not every team should see every field. Each destination can drop
 * fields or replace them by a hash (so a marketing tool can join on a hashed email while only the
 * CRM sees the real one). Copies only the objects on the changed paths; the caller's event and
 * what other destinations receive are never modified.
 */
import {
  hashIdentity,
  type Identity,
  normalizeEmail,
  normalizePhone,
  sha256Hex,
  TouchpointConfigError,
  type TouchpointEvent,
} from '@touchpoint/core';
import type { DataPolicy } from './types.js';

const PATH_RE = /^[A-Za-z_$][\w$-]*(\.[A-Za-z_$][\w$-]*)*$/;
const FORBIDDEN = new Set(['__proto__', 'constructor', 'prototype']);

/** Throws `TouchpointConfigError` naming the bad path; called when a destination is created. */
export function checkDataPolicy(policy: DataPolicy | undefined, field: string): void {
  if (policy === undefined) return;
  if (typeof policy !== 'object' || policy === null)
    throw new TouchpointConfigError(field, 'must be an object like { drop: [...], hash: [...] }');
  for (const key of ['drop', 'hash'] as const) {
    const paths = policy[key];
    if (paths === undefined) continue;
    if (!Array.isArray(paths))
      throw new TouchpointConfigError(`${field}.${key}`, 'must be an array of dotted paths such as "traits.email"');
    paths.forEach((path, i) => {
      if (typeof path !== 'string' || !PATH_RE.test(path) || path.split('.').some((p) => FORBIDDEN.has(p))) {
        throw new TouchpointConfigError(
          `${field}.${key}[${i}]`,
          `must be a dotted path such as "traits.email", got ${JSON.stringify(path)}`,
        );
      }
    });
  }
}

type Obj = Record<string, unknown>;

function isObject(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Walks to the parent of `path`, copying each object on the way; `undefined` if absent. */
function parentFor(root: Obj, parts: string[]): Obj | undefined {
  let node = root;
  for (let i = 0; i < parts.length - 1; i++) {
    const key = parts[i]!;
    const child = node[key];
    if (!isObject(child)) return undefined;
    const copy = { ...child };
    node[key] = copy;
    node = copy;
  }
  return node;
}

function normalizeFor(path: string, value: string): string {
  const leaf = path.slice(path.lastIndexOf('.') + 1).toLowerCase();
  if (leaf.includes('email')) return normalizeEmail(value);
  if (leaf.includes('phone')) return normalizePhone(value);
  return value.trim();
}

/** `true` when the policy changes nothing, so callers can skip the copy. */
export function isEmptyPolicy(policy: DataPolicy | undefined): boolean {
  return !policy || ((policy.drop?.length ?? 0) === 0 && (policy.hash?.length ?? 0) === 0);
}

/**
 * Applies a policy to one event, returning a new event (or the same one when nothing applies).
 *
 * @example
 * await applyDataPolicy(event, { drop: ['context.ip'], hash: ['traits.email'] });
 */
export async function applyDataPolicy(
  event: TouchpointEvent,
  policy: DataPolicy | undefined,
): Promise<TouchpointEvent> {
  if (isEmptyPolicy(policy)) return event;
  const out = { ...event } as unknown as Obj;
  for (const path of policy!.drop ?? []) {
    const parts = path.split('.');
    const parent = parentFor(out, parts);
    if (parent) delete parent[parts[parts.length - 1]!];
  }
  for (const path of policy!.hash ?? []) {
    if (path === 'identities') {
      const list = out.identities;
      if (Array.isArray(list))
        out.identities = await Promise.all((list as Identity[]).map((identity) => hashIdentity(identity)));
      continue;
    }
    const parts = path.split('.');
    const parent = parentFor(out, parts);
    const leaf = parts[parts.length - 1]!;
    const value = parent?.[leaf];
    if (parent && typeof value === 'string') parent[leaf] = await sha256Hex(normalizeFor(path, value));
    // Never let a value through in the clear because of its type: objects hash as their JSON.
    else if (parent && value !== undefined && value !== null) {
      parent[leaf] = await sha256Hex(typeof value === 'object' ? JSON.stringify(value) : String(value));
    }
  }
  return out as unknown as TouchpointEvent;
}

/** Applies a policy to a batch; returns the same array when the policy is empty. */
export async function applyDataPolicyToBatch(
  events: TouchpointEvent[],
  policy: DataPolicy | undefined,
): Promise<TouchpointEvent[]> {
  if (isEmptyPolicy(policy)) return events;
  return Promise.all(events.map((event) => applyDataPolicy(event, policy)));
}
