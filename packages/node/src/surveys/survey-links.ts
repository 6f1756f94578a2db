/**
 * Signed survey links for the channels a page cannot reach: an SMS after a hotline call, an email
 * after a store visit, a message in a chat app. The link carries the survey, the customer, the
 * case and an expiry, signed with HMAC-SHA256, so the answer page needs no database lookup to
 * trust it; a random link id lets a `UsedLinkStore` refuse a second answer.
 *
 * Token: `base64url(JSON payload) + "." + base64url(HMAC-SHA256(secret, first part))`.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { TouchpointConfigError } from '@touchpoint/core';

export interface SurveyLinkOptions {
  /** The answer page, e.g. `https://shop.example/s` (served by `createSurveyAnswerHandler`). */
  baseUrl: string | URL;
  /** At least 32 characters; the same secret verifies the answers. */
  secret: string;
  survey: string;
  /** Who the answer is from. */
  identity: { userId: string };
  /** The case the survey is about (recorded with the answer). */
  caseId?: string;
  /** Seconds until the link stops working (default 7 days). */
  expiresIn?: number;
  /** Where the link is sent, recorded as the answer's channel: `sms`, `email`, `zalo`… (default `link`). */
  channel?: string;
  /** Now, in ms (tests). */
  now?: number;
}

/** What a valid link says. */
export interface SurveyLinkClaims {
  survey: string;
  userId: string;
  caseId?: string;
  channel?: string;
  /** Expiry, ms since epoch. */
  expiresAt: number;
  /** The link's own id: what `UsedLinkStore` remembers. */
  linkId: string;
}

export type SurveyLinkCheck = { ok: true; claims: SurveyLinkClaims } | { ok: false; reason: 'invalid' | 'expired' };

/** Remembers answered links. `claim` must be atomic across servers: `true` only for the first caller. */
export interface UsedLinkStore {
  claim(linkId: string, expiresAt: number): Promise<boolean>;
  /** Gives a claim back when recording the answer failed, so the customer can try again. */
  release?(linkId: string): Promise<void>;
}

export function checkSecret(secret: unknown, field = 'secret'): asserts secret is string {
  if (typeof secret !== 'string' || secret.length < 32) {
    throw new TouchpointConfigError(field, 'must be a string of at least 32 characters (e.g. 32 random bytes, hex)');
  }
}

const sign = (secret: string, data: string) => createHmac('sha256', secret).update(data).digest('base64url');

/**
 * A signed link to one survey for one customer.
 *
 * @example
 * const url = createSurveyLink({ baseUrl: 'https://shop.example/s', secret, survey: 'after-case', identity: { userId: 'cust-7' }, caseId: 'case-12', expiresIn: 7 * 86400 });
 * await sms.send(phone, `How did we do? ${url}`);
 */
export function createSurveyLink(options: SurveyLinkOptions): string {
  checkSecret(options?.secret);
  if (typeof options.survey !== 'string' || options.survey === '')
    throw new TouchpointConfigError('survey', 'must be a survey id');
  if (typeof options.identity?.userId !== 'string' || options.identity.userId === '') {
    throw new TouchpointConfigError('identity.userId', 'must be the customer id the answer is recorded for');
  }
  const expiresIn = options.expiresIn ?? 7 * 86_400;
  if (!(Number.isFinite(expiresIn) && expiresIn > 0)) {
    throw new TouchpointConfigError('expiresIn', `must be a positive number of seconds, got ${String(expiresIn)}`);
  }
  const payload = {
    s: options.survey,
    u: options.identity.userId,
    ...(options.caseId ? { c: options.caseId } : {}),
    ...(options.channel ? { h: options.channel } : {}),
    e: Math.floor((options.now ?? Date.now()) / 1000 + expiresIn),
    n: randomBytes(12).toString('base64url'),
  };
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url');
  const url = new URL(String(options.baseUrl));
  url.searchParams.set('t', `${body}.${sign(options.secret, body)}`);
  return url.toString();
}

/**
 * Checks a link's token (the `t` parameter): the signature first, then the expiry. Never throws.
 *
 * @example
 * const check = verifySurveyToken(new URL(request.url).searchParams.get('t'), secret);
 */
export function verifySurveyToken(token: string | null | undefined, secret: string, now = Date.now()): SurveyLinkCheck {
  if (typeof token !== 'string' || token.length > 2048) return { ok: false, reason: 'invalid' };
  const dot = token.indexOf('.');
  if (dot < 1) return { ok: false, reason: 'invalid' };
  const body = token.slice(0, dot);
  const given = Buffer.from(token.slice(dot + 1), 'base64url');
  const expected = Buffer.from(sign(secret, body), 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return { ok: false, reason: 'invalid' };
  let payload: { s?: unknown; u?: unknown; c?: unknown; h?: unknown; e?: unknown; n?: unknown };
  try {
    payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8'));
  } catch {
    return { ok: false, reason: 'invalid' };
  }
  const { s, u, c, h, e, n } = payload;
  if (typeof s !== 'string' || typeof u !== 'string' || typeof e !== 'number' || typeof n !== 'string') {
    return { ok: false, reason: 'invalid' };
  }
  if (now >= e * 1000) return { ok: false, reason: 'expired' };
  return {
    ok: true,
    claims: {
      survey: s,
      userId: u,
      ...(typeof c === 'string' ? { caseId: c } : {}),
      ...(typeof h === 'string' ? { channel: h } : {}),
      expiresAt: e * 1000,
      linkId: n,
    },
  };
}

/**
 * Used links in memory, forgotten once expired: for one process and for tests. Behind several
 * servers, or to survive a restart, implement `UsedLinkStore` on Redis (`SET id 1 NX PXAT expiresAt`)
 * or a database table with a unique key.
 *
 * @example
 * createSurveyAnswerHandler({ surveys, secret, forwarder, usedLinks: createMemoryUsedLinkStore() });
 */
export function createMemoryUsedLinkStore(options: { now?: () => number } = {}): UsedLinkStore {
  const now = options.now ?? Date.now;
  const used = new Map<string, number>();
  return {
    async claim(linkId, expiresAt) {
      const t = now();
      if (used.size > 10_000) for (const [id, until] of used) if (until <= t) used.delete(id);
      if (used.has(linkId)) return false;
      used.set(linkId, expiresAt);
      return true;
    },
    async release(linkId) {
      used.delete(linkId);
    },
  };
}
