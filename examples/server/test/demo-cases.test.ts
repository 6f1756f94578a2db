/**
 * The demo's cases over real loopback HTTP: the help form's `case.opened` (a browser batch with a
 * phone number) opens a case; the played hotline call and Facebook message from the same phone
 * join it; the customer's story shows all three channels; the short demo promise goes overdue and
 * its alert fires; `/cases` shows the panels.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { createMessageId } from '@touchpoint/core';
import type { CustomerHistory } from '@touchpoint/node/cases';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_WRITE_KEY, type DemoServer, INGEST_PATH, startDemoServer } from '../src/demo-server.js';

const serverDir = resolve(import.meta.dirname, '..');
let dataDir: string;
let demo: DemoServer;
const logs: string[] = [];

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'demo-cases-'));
  demo = await startDemoServer({
    port: 0,
    dataDir,
    storefrontDir: join(dataDir, 'no-storefront'),
    seedPath: join(serverDir, 'seed', 'groceries-top40.csv'),
    cases: { promiseMs: 1500, checkEveryMs: 200 },
    log: (line) => logs.push(line),
  });
});

afterAll(async () => {
  await demo?.close();
  await rm(dataDir, { recursive: true, force: true });
});

async function until<T>(what: string, check: () => Promise<T | undefined>, timeoutMs = 90_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; log:\n${logs.join('\n')}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const history = async () => {
  const res = await fetch(`${demo.url}/api/cases/history?phone=${encodeURIComponent('0912 345 678')}`);
  return res.ok ? ((await res.json()) as CustomerHistory) : undefined;
};

describe('the demo cases', () => {
  it('joins the web case, the hotline call and the Facebook message into one story, and alerts the overdue promise', async () => {
    const res = await fetch(demo.url + INGEST_PATH, {
      method: 'POST',
      headers: { 'content-type': 'text/plain;charset=UTF-8' },
      body: JSON.stringify({
        batch: [
          {
            type: 'track',
            messageId: createMessageId(),
            timestamp: new Date().toISOString(),
            anonymousId: 'anon-help-page',
            context: { library: { name: '@touchpoint/browser', version: '0.1.0' } },
            event: 'case.opened',
            properties: {
              caseId: 'C-1234',
              channel: 'web',
              topic: 'product',
              text: 'My AC broke',
              identities: [{ type: 'phone', value: '0912 345 678' }],
            },
          },
        ],
        sentAt: new Date().toISOString(),
        v: 1,
        writeKey: DEMO_WRITE_KEY,
      }),
    });
    expect(res.status).toBe(200);
    await until('the web case', async () => ((await history())?.cases.length === 1 ? true : undefined));

    const played = await fetch(`${demo.url}/api/cases/play`, { method: 'POST' });
    expect(await played.json()).toEqual({ hotline: 'CALL-1', facebook: 'FB-1' });
    const story = await until('both repeat contacts', async () => {
      const h = await history();
      return h?.cases[0]?.repeatContacts === 2 ? h : undefined;
    });
    expect(story.cases.map((c) => c.id)).toEqual(['C-1234']);
    expect(story.timeline.filter((e) => e.kind !== 'message').map((e) => e.channel)).toEqual(
      expect.arrayContaining(['web', 'hotline', 'facebook']),
    );
    expect(story.profile.identities.map((i) => i.kind).sort()).toEqual([
      'account:facebook',
      'account:hotline',
      'anonymousId',
      'phone',
    ]);

    await until('the overdue alert', async () =>
      logs.some((l) => l.includes('promise overdue → lan')) ? true : undefined,
    );
    const page = await (await fetch(`${demo.url}/cases`)).text();
    for (const panel of [
      'Open cases',
      'Overdue promises',
      'Repeat contacts',
      'Median first reply',
      'Conversion per conversation state',
    ])
      expect(page).toContain(panel);
    expect(page).toContain('promise_overdue on C-1234');
  });
});
