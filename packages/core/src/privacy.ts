/**
 * Normalise and hash identities so a shop can join a customer's accounts without shipping raw
 * email addresses or phone numbers to every backend. Uses WebCrypto, present in browsers and
 * in Node 20 as `globalThis.crypto`.
 */
import type { Identity } from './event.js';

/** Trims and lower-cases an email address. Provider-specific rules (Gmail dots) are not applied. */
export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/**
 * Normalises a phone number to E.164-like `+<digits>`: drops spaces, dots, dashes and brackets,
 * turns a leading `00` into `+`, and for national numbers (leading `0` or no prefix) prepends
 * `defaultCountryCode` (digits, e.g. `'84'` for Vietnam, `'49'` for Germany) when given.
 *
 * @example
 * normalizePhone('0912 345 678', '84'); // '+84912345678'
 */
export function normalizePhone(phone: string, defaultCountryCode?: string): string {
  const trimmed = phone.trim();
  let digits = trimmed.replace(/[^\d]/g, '');
  if (trimmed.startsWith('+')) return `+${digits}`;
  if (digits.startsWith('00')) return `+${digits.slice(2)}`;
  if (defaultCountryCode) {
    const cc = defaultCountryCode.replace(/[^\d]/g, '');
    if (digits.startsWith('0')) digits = digits.replace(/^0+/, '');
    return `+${cc}${digits}`;
  }
  return digits;
}

/** SHA-256 of a UTF-8 string, as lower-case hex. */
export async function sha256Hex(text: string): Promise<string> {
  const subtle = (globalThis as { crypto?: Crypto }).crypto?.subtle;
  if (!subtle)
    throw new Error('WebCrypto (crypto.subtle) is not available; hashing needs a secure context or Node 20+');
  const digest = await subtle.digest('SHA-256', new TextEncoder().encode(text));
  const bytes = new Uint8Array(digest);
  let hex = '';
  for (let i = 0; i < bytes.length; i++) hex += bytes[i]!.toString(16).padStart(2, '0');
  return hex;
}

/**
 * Normalises and hashes an identity's value. Emails and phones get their normalisation first, so
 * the same customer hashes the same way everywhere; other kinds are trimmed.
 *
 * @example
 * await hashIdentity({ type: 'email', value: ' Ana@Example.com ' });
 * // { type: 'email', value: '<sha-256 hex of ana@example.com>', hashed: true }
 */
export async function hashIdentity(
  identity: Identity,
  options: { defaultCountryCode?: string } = {},
): Promise<Identity> {
  if (identity.hashed) return identity;
  const normalized =
    identity.type === 'email'
      ? normalizeEmail(identity.value)
      : identity.type === 'phone'
        ? normalizePhone(identity.value, options.defaultCountryCode)
        : identity.value.trim();
  const out: Identity = { type: identity.type, value: await sha256Hex(normalized), hashed: true };
  if (identity.provider !== undefined) out.provider = identity.provider;
  return out;
}
