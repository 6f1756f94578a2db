/**
 * Customers for the erasure, scrub and retention tests: each one a browser visitor who signs in
 * with email and phone, calls the hotline, writes on Facebook, gets a promise, buys, and decides
 * on consent — every identifier unique to the customer, so a byte search for it finds only theirs.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { TouchpointEvent } from '@touchpoint/core';
import type { CaseBook } from '../src/cases/case-book.js';
import type { IdentityGraph } from '../src/cases/identity-graph.js';

export interface SeededCustomer {
  anonymousId: string;
  userId: string;
  email: string;
  /** E.164. */
  phone: string;
  facebookId: string;
  caseId: string;
  /** A second contact that joined the case (an alias of `caseId`). */
  repeatCaseId: string;
  orderId: string;
  /** Every value the customer can be found by on disk: raw ids, SHA-256 and graph digests of email and phone. */
  needles: string[];
  /** The consent event (for the ledger). */
  consent: TouchpointEvent;
}

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

function track(event: string, properties: Record<string, unknown>, at: number, who: Record<string, string>) {
  return {
    type: 'track',
    messageId: randomUUID(),
    timestamp: new Date(at).toISOString(),
    ...who,
    event,
    properties,
  } as TouchpointEvent;
}

/** Records one customer's story in the book; `tag` makes every identifier unique (letters and digits). */
export async function seedCustomer(
  book: CaseBook,
  graph: IdentityGraph,
  tag: string,
  at: number,
): Promise<SeededCustomer> {
  const c = {
    anonymousId: `anon-${tag}-7f3a9c`,
    userId: `user-${tag}-51d0e2`,
    email: `${tag}.customer@example.com`,
    phone: `+8491${String(1000000 + (Number.parseInt(sha256(tag).slice(0, 6), 16) % 8999999)).padStart(7, '0')}`,
    facebookId: `psid-${tag}-88e1`,
    caseId: `CALL-${tag}-001`,
    repeatCaseId: `FB-${tag}-002`,
    orderId: `ORDER-${tag}-9931`,
  };
  const browser = { anonymousId: c.anonymousId };
  const events: TouchpointEvent[] = [
    track('product.viewed', { productId: 'ac-9000', viewer: c.anonymousId }, at, browser),
    {
      type: 'identify',
      messageId: randomUUID(),
      timestamp: new Date(at + 1000).toISOString(),
      anonymousId: c.anonymousId,
      userId: c.userId,
      identities: [
        { type: 'email', value: c.email },
        { type: 'phone', value: c.phone },
      ],
    } as TouchpointEvent,
    track(
      'case.opened',
      {
        caseId: c.caseId,
        channel: 'hotline',
        topic: 'air conditioner',
        text: `broken AC, call back on ${c.phone}`,
        identities: [{ phone: c.phone }],
      },
      at + 2000,
      { anonymousId: `srv-${tag}` },
    ),
    track(
      'case.promised',
      { caseId: c.caseId, what: 'technician visit', dueAt: at + 2 * 86_400_000, agent: 'agent-1' },
      at + 3000,
      { anonymousId: `srv-${tag}` },
    ),
    track('case.state', { caseId: c.caseId, state: 'wants_advice' }, at + 4000, { anonymousId: `srv-${tag}` }),
    track(
      'case.opened',
      {
        caseId: c.repeatCaseId,
        channel: 'facebook',
        topic: 'air conditioner',
        text: 'still waiting',
        identities: [{ channel: 'facebook', id: c.facebookId }, { phone: c.phone }],
      },
      at + 5000,
      { anonymousId: `srv-${tag}` },
    ),
    track('order.completed', { orderId: c.orderId, revenue: 420 }, at + 6000, { userId: c.userId }),
    {
      type: 'feedback',
      messageId: randomUUID(),
      timestamp: new Date(at + 7000).toISOString(),
      userId: c.userId,
      feedback: { kind: 'csat', score: 2, comment: `${c.userId} waited a week` },
    } as TouchpointEvent,
  ];
  for (const event of events) await book.record(event);
  const consent = track(
    'consent.updated',
    {
      analytics: true,
      personalization: false,
      marketing: false,
      gpc: false,
      policyVersion: '2026-05',
      source: 'banner',
    },
    at + 500,
    browser,
  );
  const digest = (kind: 'email' | 'phone', value: string) =>
    graph.key(kind === 'email' ? { email: value } : { phone: value }).value;
  return {
    ...c,
    consent,
    needles: [
      c.anonymousId,
      c.userId,
      c.email,
      c.phone,
      c.facebookId,
      c.caseId,
      c.repeatCaseId,
      c.orderId,
      sha256(c.email),
      sha256(c.phone),
      digest('email', c.email),
      digest('phone', c.phone),
    ],
  };
}
