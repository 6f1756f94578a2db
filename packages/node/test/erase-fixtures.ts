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

/**
 * Where each form occurs in any file under the roots, in raw bytes (UTF-8 and UTF-16LE), as
 * `<form name> in <root label>/<file>`. A file that vanishes meanwhile (a cursor being replaced) is skipped.
 */
export async function searchBytes(roots: Record<string, string>, forms: Record<string, string>): Promise<string[]> {
  const hits: string[] = [];
  for (const [label, dir] of Object.entries(roots))
    for (const file of await filesUnder(dir)) {
      const bytes = await readFile(file).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return Buffer.alloc(0);
        throw error;
      });
      for (const [name, value] of Object.entries(forms))
        if (bytes.includes(Buffer.from(value, 'utf8')) || bytes.includes(Buffer.from(value, 'utf16le')))
          hits.push(`${name} in ${label}/${file.slice(dir.length + 1)}`);
    }
  return hits;
}

/** Files under `dir` whose raw bytes hold any of `needles`, with the needle found. */
export function bytesHolding(dir: string, needles: readonly string[]): Promise<string[]> {
  return searchBytes({ [dir]: dir }, Object.fromEntries(needles.map((n) => [n, n])));
}
