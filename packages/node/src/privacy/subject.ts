/**
 * Who is being erased, and how to recognise their data wherever Touchpoint wrote it. Every store
 * that holds personal data (the log, dead letters, `jsonl` files, the identity graph, cases,
 * consent records, models) gets the same `ErasureSubject` from `createPrivacy().erase()` and
 * removes what `matches` says is theirs; destinations get the `ErasureRequest` form of it.
 *
 * Matching is by value, not by field list alone: an event belongs to the subject when any string
 * in it equals one of their ids (anonymous ids, user ids, case ids, channel accounts, raw or
 * hashed email and phone), or when a field named like an email or phone holds a value that keys to
 * one of the profile's identities (so a hashed email written by a data policy, or a phone in
 * another format, is still found).
 */
import { createHash } from 'node:crypto';
import { normalizeEmail, normalizePhone } from '@touchpoint/core';

/** How a store names the identity-graph key of a value (see `IdentityGraph.key`). */
export type KeyOf = (kind: 'email' | 'phone', value: string, hashed: boolean) => string | undefined;

export interface ErasureSubject {
  /** The erasure's id (`er_…`): names it in audit records, holds nothing personal. */
  readonly erasureId: string;
  readonly anonymousIds: readonly string[];
  readonly userIds: readonly string[];
  /** Cases of the profile (their ids and aliases). */
  readonly caseIds: readonly string[];
  /** Channel accounts, e.g. `{ channel: 'facebook', id: '…' }`. */
  readonly accounts: readonly { channel: string; id: string }[];
  /** Raw emails and phones, normalised, when the requester gave them (the graph keeps only digests). */
  readonly emails: readonly string[];
  readonly phones: readonly string[];
  /** Identity-graph keys of every identity of the profile, as `kind:value` (emails/phones are digests). */
  readonly keys: readonly string[];
  /** Every string that identifies the subject (ids, raw and SHA-256 email/phone, graph digests). */
  readonly needles: ReadonlySet<string>;
  /** `true` when this value (an event, a dead-letter record, a row) holds any of the subject's data. */
  matches(value: unknown): boolean;
  /** `matches` on JSON text; cheap when the text cannot match. */
  matchesJson(json: string): boolean;
}

export interface SubjectInput {
  erasureId: string;
  anonymousIds?: Iterable<string>;
  userIds?: Iterable<string>;
  caseIds?: Iterable<string>;
  accounts?: Iterable<{ channel: string; id: string }>;
  emails?: Iterable<string>;
  phones?: Iterable<string>;
  /** Graph keys as `kind:value`. */
  keys?: Iterable<string>;
  /** The graph's key function for emails/phones found in events; without it only exact values match. */
  keyOf?: KeyOf;
  defaultCountryCode?: string;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const HEX64 = /^[0-9a-f]{64}$/;
/** Every key `personalField` looks at contains one of these (case-insensitive). */
const PERSONAL_HINT = /mail|phone/i;

/** Builds the subject; `matches` closes over sets, so checking one event allocates nothing when it is not theirs. */
export function createErasureSubject(input: SubjectInput): ErasureSubject {
  const uniq = (values: Iterable<string> | undefined) => [...new Set(values ?? [])].filter((v) => v !== '');
  const emails = uniq([...(input.emails ?? [])].map((e) => normalizeEmail(e)));
  const phones = uniq([...(input.phones ?? [])].map((p) => normalizePhone(p, input.defaultCountryCode)));
  const accounts = [...(input.accounts ?? [])];
  const keys = uniq(input.keys);
  const subject = {
    erasureId: input.erasureId,
    anonymousIds: uniq(input.anonymousIds),
    userIds: uniq(input.userIds),
    caseIds: uniq(input.caseIds),
    accounts,
    emails,
    phones,
    keys,
  };
  const needles = new Set<string>([...subject.anonymousIds, ...subject.userIds, ...subject.caseIds]);
  for (const a of accounts) needles.add(a.id);
  for (const value of [...emails, ...phones]) {
    needles.add(value);
    needles.add(sha256(value));
  }
  // Digests stored by the graph (`email:<hex>`) are needles too: a table or a log line may hold them.
  const keySet = new Set(keys);
  for (const key of keys) {
    const value = key.slice(key.indexOf(':') + 1);
    if (key.startsWith('email:') || key.startsWith('phone:')) needles.add(value);
  }
  const keyOf = input.keyOf;

  /** A string under a key named like an email or phone that keys to one of the profile's identities. */
  function personalField(name: string, value: string): boolean {
    if (!keyOf) return false;
    const lower = name.toLowerCase();
    const kind = lower.includes('email') ? 'email' : lower.includes('phone') ? 'phone' : undefined;
    if (!kind) return false;
    try {
      const key = keyOf(kind, value, HEX64.test(value));
      return key !== undefined && keySet.has(`${kind}:${key}`);
    } catch {
      return false;
    }
  }

  function walk(value: unknown, name: string, depth: number): boolean {
    if (typeof value === 'string') return needles.has(value) || personalField(name, value);
    if (depth > 32 || typeof value !== 'object' || value === null) return false;
    if (Array.isArray(value)) {
      for (const item of value) if (walk(item, name, depth + 1)) return true;
      return false;
    }
    const record = value as Record<string, unknown>;
    // An identity `{ type: 'email', value }` names its kind in a sibling field.
    if (typeof record.type === 'string' && typeof record.value === 'string' && personalField(record.type, record.value))
      return true;
    for (const key in record) if (walk(record[key], key, depth + 1)) return true;
    return false;
  }

  // How each needle appears inside JSON text (quotes and backslashes escaped, as JSON.stringify writes it).
  const inJson = [...needles].map((n) => JSON.stringify(n).slice(1, -1));
  /**
   * Whether the text may match, without parsing it (a log scan meets millions of records, nearly none
   * of them the subject's): a string value can equal a needle only if the needle's text is in the JSON,
   * and `keyOf` matches only under a key (or identity type) naming an email or phone. Text with `\u`
   * escapes, which another writer may use for any character, is always parsed.
   */
  const mayMatch = (json: string): boolean => {
    for (const needle of inJson) if (json.includes(needle)) return true;
    if (keyOf && PERSONAL_HINT.test(json)) return true;
    return json.includes('\\u');
  };
  return {
    ...subject,
    needles,
    matches: (value) => walk(value, '', 0),
    matchesJson(json) {
      if (!mayMatch(json)) return false;
      try {
        return walk(JSON.parse(json), '', 0);
      } catch {
        return false;
      }
    },
  };
}

/** What a destination is told: enough to find the customer in its own store, nothing more. */
export interface ErasureRequest {
  erasureId: string;
  /** When the erasure was asked for, ISO 8601. */
  requestedAt: string;
  userIds: string[];
  anonymousIds: string[];
  /** Raw (normalised) when the requester gave them; destinations keyed on hashes use `hashedEmails`. */
  emails: string[];
  phones: string[];
  /** SHA-256 hex of each normalised email / phone (what `hashIdentity` and data policies produce). */
  hashedEmails: string[];
  hashedPhones: string[];
  accounts: { channel: string; id: string }[];
  /** Message ids of the subject's events this forwarder still held (a destination may delete by them). */
  messageIds: string[];
}

/** The destination-facing form of a subject. */
export function erasureRequest(
  subject: ErasureSubject,
  requestedAt: Date,
  messageIds: readonly string[] = [],
): ErasureRequest {
  return {
    erasureId: subject.erasureId,
    requestedAt: requestedAt.toISOString(),
    userIds: [...subject.userIds],
    anonymousIds: [...subject.anonymousIds],
    emails: [...subject.emails],
    phones: [...subject.phones],
    hashedEmails: subject.emails.map(sha256),
    hashedPhones: subject.phones.map(sha256),
    accounts: [...subject.accounts],
    messageIds: [...messageIds],
  };
}

/**
 * The subject again from a destination's `ErasureRequest`: for Touchpoint's own destinations (the
 * case book's, the consent ledger's), whose `erase` confirms the erasure `createPrivacy` already
 * ran on their store. Graph digests are not in a request; `keyOf` finds emails and phones.
 */
export function subjectOfRequest(request: ErasureRequest, keyOf?: KeyOf): ErasureSubject {
  return createErasureSubject({
    erasureId: request.erasureId,
    userIds: request.userIds,
    anonymousIds: request.anonymousIds,
    accounts: request.accounts,
    emails: request.emails,
    phones: request.phones,
    keyOf,
  });
}

/** A store Touchpoint owns that can erase a subject (the log, a file, a database, a model). */
export interface ErasureTarget {
  /** Names the store in the erasure's audit record, e.g. `log`, `dead-letters:crm`, `cases`. */
  readonly name: string;
  /** Removes or irreversibly anonymises the subject's data; resolves once that is durable. */
  erase(subject: ErasureSubject): Promise<ErasureTargetResult>;
}

export interface ErasureTargetResult {
  /** Records removed or anonymised. */
  erased: number;
  /** Message ids of erased events, when the store knows them (the dedupe window forgets them). */
  messageIds?: string[];
  /** Anything an auditor should read, without personal data. */
  detail?: string;
}
