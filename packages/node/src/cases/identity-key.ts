/**
 * Turns the ways a caller names a customer (`{ phone }`, `{ channel: 'facebook', id }`, core's
 * `Identity`…) into the `{ kind, value }` key the graph stores. Emails and phones are normalised
 * (phones to E.164) and never stored in the clear: the key is the SHA-256 hex of the normalised
 * value — the same digest core's `hashIdentity` produces, so pre-hashed identities from the
 * browser land on the same key — keyed with the shop's `hashKey` (HMAC) when one is set, so a
 * leaked table cannot be matched against a list of phone numbers.
 */
import { createHash, createHmac } from 'node:crypto';
import { type Identity, normalizeEmail, normalizePhone } from '@touchpoint/core';
import { CaseInputError } from './errors.js';

/** A customer's identifier in any of the accepted shapes. Channel accounts: `{ channel, id }`. */
export type IdentityRef =
  | { anonymousId: string }
  | { userId: string }
  | { email: string }
  | { phone: string }
  | { channel: string; id: string }
  | Identity;

/** How the graph stores an identity: `kind` is `anonymousId`, `userId`, `email`, `phone` or `account:<channel>`. */
export interface IdentityKey {
  kind: string;
  value: string;
}

export interface IdentityKeyOptions {
  /** Per-shop secret: email and phone digests become HMAC-SHA256 with it. */
  hashKey?: string;
  /** Country code for national phone numbers, e.g. `'84'` for Vietnam. */
  defaultCountryCode?: string;
}

const MAX_VALUE = 512;
const E164 = /^\+[1-9]\d{6,14}$/;
const HEX64 = /^[0-9a-f]{64}$/;

function fail(message: string): never {
  throw new CaseInputError('invalid_identity', message);
}

function text(value: unknown, what: string): string {
  if (typeof value !== 'string' || value.trim() === '') fail(`${what} must be a non-empty string`);
  if (value.length > MAX_VALUE) fail(`${what} is longer than ${MAX_VALUE} characters`);
  return value.trim();
}

/** Builds the key function for one graph's options. */
export function createIdentityKeys(options: IdentityKeyOptions = {}): (ref: IdentityRef) => IdentityKey {
  const { hashKey, defaultCountryCode } = options;
  const digest = (hex: string) => (hashKey ? createHmac('sha256', hashKey).update(hex).digest('hex') : hex);
  const sha = (s: string) => createHash('sha256').update(s).digest('hex');

  function personal(kind: 'email' | 'phone', raw: string, hashed: boolean): IdentityKey {
    if (hashed) {
      if (!HEX64.test(raw)) fail(`a hashed ${kind} must be 64 lower-case hex characters (SHA-256)`);
      return { kind, value: digest(raw) };
    }
    if (kind === 'email') {
      const email = normalizeEmail(raw);
      if (!email.includes('@')) fail(`email ${JSON.stringify(raw)} has no @`);
      return { kind, value: digest(sha(email)) };
    }
    const phone = normalizePhone(raw, defaultCountryCode);
    if (!E164.test(phone))
      fail(
        `phone ${JSON.stringify(raw)} is not E.164 (+<country><number>); set defaultCountryCode for national numbers`,
      );
    return { kind, value: digest(sha(phone)) };
  }

  return (ref) => {
    if (!ref || typeof ref !== 'object') fail('an identity must be an object such as { phone } or { channel, id }');
    const r = ref as Record<string, unknown>;
    if ('type' in r && 'value' in r) {
      const type = text(r.type, 'identity.type');
      const value = text(r.value, `identity(${type}).value`);
      if (type === 'email' || type === 'phone') return personal(type, value, r.hashed === true);
      if (type === 'anonymousId' || type === 'userId') return { kind: type, value };
      const channel = type === 'account' && typeof r.provider === 'string' ? r.provider : type;
      return { kind: `account:${text(channel, 'identity.provider')}`, value };
    }
    if ('channel' in r)
      return { kind: `account:${text(r.channel, 'channel')}`, value: text(r.id, `${String(r.channel)} id`) };
    if ('anonymousId' in r) return { kind: 'anonymousId', value: text(r.anonymousId, 'anonymousId') };
    if ('userId' in r) return { kind: 'userId', value: text(r.userId, 'userId') };
    if ('email' in r) return personal('email', text(r.email, 'email'), false);
    if ('phone' in r) return personal('phone', text(r.phone, 'phone'), false);
    return fail(
      `unknown identity shape with keys ${Object.keys(r).join(', ') || '(none)'}; use anonymousId, userId, email, phone or { channel, id }`,
    );
  };
}
