/**
 * Customers' events and disk searches for the log-erasure tests: realistic ~300-byte events
 * carrying a customer's user id, anonymous id and email, and a search of every byte under a
 * directory for any of them.
 */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { createErasureSubject, type ErasureSubject } from '../src/privacy/subject.js';

export interface Customer {
  userId: string;
  anonymousId: string;
  email: string;
}

export function customer(n: number): Customer {
  return { userId: `user-${n}-q7`, anonymousId: `anon-${n}-z3`, email: `shopper${n}@example.vn` };
}

/** One event of `who`, about 300 bytes of JSON, with a unique messageId. */
export function customerEvent(who: Customer, i: number): string {
  return JSON.stringify({
    type: 'track',
    messageId: `msg-${who.userId}-${i}`,
    timestamp: '2026-11-22T10:00:00.000Z',
    receivedAt: '2026-11-22T10:00:00.120Z',
    anonymousId: who.anonymousId,
    userId: who.userId,
    event: 'cart.item_added',
    properties: { sku: `sku-${i % 97}`, price: 19.99, quantity: 1 + (i % 3), email: who.email },
    context: { channel: 'web', page: { path: '/products/mug-42' } },
  });
}

export function subjectOf(who: Customer, erasureId = 'er_test'): ErasureSubject {
  return createErasureSubject({
    erasureId,
    userIds: [who.userId],
    anonymousIds: [who.anonymousId],
    emails: [who.email],
  });
}

/** The customer's identifiers as they would appear in bytes on disk. */
export function needlesOf(who: Customer): string[] {
  return [who.userId, who.anonymousId, who.email];
}

/** Every file under `dir`, recursively. */
export async function filesUnder(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await filesUnder(path)));
    else if (entry.isFile()) out.push(path);
  }
  return out;
}

/** Files under `dir` whose raw bytes hold any of `needles`, with the needle found. */
export async function bytesHolding(dir: string, needles: readonly string[]): Promise<string[]> {
  const hits: string[] = [];
  for (const path of await filesUnder(dir)) {
    const bytes = await readFile(path);
    for (const needle of needles) if (bytes.includes(Buffer.from(needle))) hits.push(`${path}: ${needle}`);
  }
  return hits;
}
