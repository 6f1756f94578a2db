/**
 * The erasure promise, end to end, as a shop runs it: one customer reaches the shop from the
 * browser (anonymous, then signed in), the hotline (phone) and Facebook (a page account); they
 * leave touchpoints, feedback, a survey answer, a case with a promise, dead letters at a CRM that
 * refuses feedback, and orders a recommender learned. Another customer does the same. Then the
 * first one is erased by email, and every byte Touchpoint wrote — the file log and its dead
 * letters, the `jsonl` output, the embedded database's data directory, the survey link store, the
 * saved model, the erasure journal itself — is searched for their email, phone, user id, anonymous
 * id and Facebook id, raw and hashed: zero hits. The other customer is all still there, the
 * destinations received their erasure calls, and the audit record says what was done without
 * naming the customer.
 */
import { createHash, createHmac, randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createCustomerModel } from '@touchpoint/recommend';
import { createRecommenderTrainer } from '@touchpoint/recommend/trainer';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  casesDestination,
  createCaseBook,
  createIdentityGraph,
  openEmbeddedStore,
  scrubStore,
} from '../src/cases/index.js';
import { createMemoryDedupeStore } from '../src/dedupe-store.js';
import { destinations } from '../src/destinations/index.js';
import { jsonlErasure } from '../src/destinations/jsonl-erase.js';
import { verifyWebhook } from '../src/destinations/webhook-signature.js';
import { createForwarder } from '../src/forwarder.js';
import { createIngestHandler } from '../src/ingest-handler.js';
import { fileLog } from '../src/log/file-log.js';
import { jetStreamLog } from '../src/log/jetstream-log.js';
import { createConsentLedger } from '../src/privacy/consent-ledger.js';
import { createPrivacy, forgetTarget } from '../src/privacy/create-privacy.js';
import {
  createFileUsedLinkStore,
  createMemorySurveyStore,
  createSurveyAnswerHandler,
  createSurveyLink,
  defineSurveys,
} from '../src/surveys/index.js';
import { searchBytes } from './erase-fixtures.js';
import { startSink } from './loopback-sink.js';
import { type NatsNode, natsBinary, startNatsNode } from './nats-servers.js';
import { shouldRun } from './services.js';

const HASH_KEY = 'shop-secret-key';
const WEBHOOK_SECRET = `whsec_${Buffer.from('erasure-test-secret-0123456789').toString('base64')}`;
const SURVEY_SECRET = 'survey-link-secret-0123456789abcdef';
const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const hmac = (hex: string) => createHmac('sha256', HASH_KEY).update(hex).digest('hex');

interface Customer {
  anonymousId: string;
  userId: string;
  email: string;
  phoneAsTyped: string;
  phone: string;
  facebook: string;
  caseId: string;
}
const alice: Customer = {
  anonymousId: 'anon-4f1c2a77-alice',
  userId: 'cust-918273',
  email: 'Alice.Nguyen@Example.com',
  phoneAsTyped: '0912 345 678',
  phone: '+84912345678',
  facebook: 'fb-psid-5550001',
  caseId: 'case-aircon-1',
};
const bob: Customer = {
  anonymousId: 'anon-9b8e7d66-bob',
  userId: 'cust-112233',
  email: 'bob.tran@example.org',
  phoneAsTyped: '0987 654 321',
  phone: '+84987654321',
  facebook: 'fb-psid-5550002',
  caseId: 'case-fridge-2',
};

/** Every form a customer's identifiers could take on disk. */
function needles(c: Customer): Record<string, string> {
  const email = c.email.trim().toLowerCase();
  return {
    'email (as typed)': c.email,
    email,
    'sha256(email)': sha(email),
    'hmac(sha256(email))': hmac(sha(email)),
    'phone (as typed)': c.phoneAsTyped,
    phone: c.phone,
    'sha256(phone)': sha(c.phone),
    'hmac(sha256(phone))': hmac(sha(c.phone)),
    userId: c.userId,
    'sha256(userId)': sha(c.userId),
    anonymousId: c.anonymousId,
    'sha256(anonymousId)': sha(c.anonymousId),
    facebook: c.facebook,
  };
}

const runNats = shouldRun(natsBinary, 'nats-server');

describe('erase(identity): every byte Touchpoint wrote, end to end', () => {
  let root: string;
  let nats: (NatsNode & { dir: string; stop(): Promise<void> }) | undefined;

  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'tp-erase-e2e-'));
    if (runNats) nats = await startNatsNode();
  }, 30_000);
  afterAll(async () => {
    await nats?.stop();
    if (root && !process.env.TP_KEEP) await rm(root, { recursive: true, force: true });
  });

  it(
    'on the file log: zero hits of the erased customer, the other intact, every destination told, audited',
    () => scenario('file'),
    120_000,
  );
  it.skipIf(!runNats)(
    "on NATS JetStream: the same, with the stream's store directory searched too",
    () => scenario('jetstream'),
    120_000,
  );

  async function scenario(engine: 'file' | 'jetstream'): Promise<void> {
    const dir = join(root, engine);
    const webhook = await startSink();
    const segment = await startSink();
    const crmErasures: unknown[] = [];
    const roots: Record<string, string> = { data: dir, ...(engine === 'jetstream' ? { nats: nats!.dir } : {}) };
    const store = await openEmbeddedStore({ dataDir: join(dir, 'cases') });
    const graph = createIdentityGraph(store, { hashKey: HASH_KEY, defaultCountryCode: '84' });
    const book = createCaseBook(graph);
    const ledger = createConsentLedger(store, { graph });
    const crm = destinations.fn(
      async (events) => {
        // The CRM refuses feedback for good: those events end in the dead-letter log.
        if (events.some((e) => e.type === 'feedback'))
          return { ok: false, status: 422, message: 'feedback not accepted' };
        return { ok: true };
      },
      {
        name: 'crm',
        erase: async (request) => {
          crmErasures.push(request);
        },
      },
    );
    // The basket recommender learns from the forwarded stream and publishes to a file (a CDN upload, in a shop).
    const publishedPath = join(dir, 'recommender.json');
    const trainer = createRecommenderTrainer({
      publishIntervalMs: 0,
      onPublish: (published) => writeFileSync(publishedPath, published.json),
    });
    const forwarder = createForwarder({
      log:
        engine === 'file'
          ? fileLog({ dir: join(dir, 'log') })
          : jetStreamLog({ servers: nats!.url, stream: 'TP_E2E', subject: 'tp.e2e' }),
      destinations: [
        destinations.jsonl({
          path: join(dir, 'out', 'touchpoints.jsonl'),
          policy: { hash: ['traits.email', 'traits.phone'] },
        }),
        destinations.webhook({ url: webhook.url, secret: WEBHOOK_SECRET }),
        destinations.segment({
          writeKey: 'seg-write-key',
          url: `${segment.url}/v1/batch`,
          erase: { token: 'seg-public-api-token', url: `${segment.url}/regulations` },
        }),
        crm,
        casesDestination(book),
        ledger.destination(),
        trainer,
      ],
      batch: { maxWaitMs: 20 },
      retry: { baseMs: 10, maxMs: 50 },
    });
    const dedupe = createMemoryDedupeStore();
    const ingest = createIngestHandler({ forwarder, writeKeys: ['wk'], dedupe, onError: () => {} });
    const usedLinksPath = join(dir, 'survey-links.json');
    const surveys = defineSurveys({
      'after-repair': {
        kind: 'csat',
        trigger: { serverEvent: 'case.resolved' },
        question: { en: 'How was the repair?', vi: 'Sửa chữa thế nào?' },
      },
    });
    const answers = createSurveyAnswerHandler({
      surveys,
      secret: SURVEY_SECRET,
      forwarder,
      usedLinks: createFileUsedLinkStore({ path: usedLinksPath }),
    });
    // The survey planner's memory of who was asked when (caps across surveys).
    const surveyStore = createMemorySurveyStore();
    const model = createCustomerModel();
    const modelPath = join(dir, 'model.json');
    const saveModel = () => writeFile(modelPath, JSON.stringify(model.toJSON()));

    // Message ids are random, as every SDK makes them: they name an event, not a customer.
    const id = (_c: Customer) => randomUUID();
    const now = () => new Date().toISOString();
    for (const c of [alice, bob]) {
      // Browser: anonymous views and a cart add, consent, then sign-in with email and phone.
      const batch = [
        { type: 'page', messageId: id(c), timestamp: now(), anonymousId: c.anonymousId, name: 'Air conditioners' },
        {
          type: 'track',
          messageId: id(c),
          timestamp: now(),
          anonymousId: c.anonymousId,
          event: 'cart.item_added',
          properties: { sku: 'AC-9000' },
        },
        {
          type: 'track',
          messageId: id(c),
          timestamp: now(),
          anonymousId: c.anonymousId,
          event: 'consent.updated',
          properties: {
            analytics: true,
            personalization: true,
            marketing: false,
            gpc: true,
            policyVersion: '2026-05',
            source: 'api',
          },
        },
        {
          type: 'identify',
          messageId: id(c),
          timestamp: now(),
          anonymousId: c.anonymousId,
          userId: c.userId,
          traits: { email: c.email, phone: c.phoneAsTyped, name: 'A customer' },
          identities: [
            { type: 'email', value: c.email },
            { type: 'phone', value: c.phoneAsTyped },
          ],
        },
        {
          type: 'track',
          messageId: id(c),
          timestamp: now(),
          anonymousId: c.anonymousId,
          userId: c.userId,
          event: 'order.completed',
          properties: { orderId: `o-${c.userId}`, total: 12_900_000 },
        },
        {
          type: 'feedback',
          messageId: id(c),
          timestamp: now(),
          anonymousId: c.anonymousId,
          userId: c.userId,
          feedback: { kind: 'nps', score: 2, comment: `call me on ${c.phoneAsTyped}` },
        },
      ];
      const res = await ingest(
        new Request('http://shop.test/t', {
          method: 'POST',
          headers: { 'content-type': 'application/json', authorization: 'Bearer wk' },
          body: JSON.stringify({ batch, sentAt: now() }),
        }),
      );
      expect(res.status).toBe(200);
      // Hotline: a case opened by phone with a promise; Facebook: a message on the same case.
      // The hotline knows only the phone number, as the customer says it.
      forwarder.track({
        event: 'case.opened',
        anonymousId: 'hotline-desk-1',
        properties: {
          caseId: c.caseId,
          identities: [{ phone: c.phoneAsTyped }],
          channel: 'hotline',
          topic: 'repair',
          text: 'air conditioner broken',
        },
      });
      forwarder.track({
        event: 'case.promised',
        anonymousId: 'hotline-desk-1',
        properties: {
          caseId: c.caseId,
          identities: [{ phone: c.phoneAsTyped }],
          what: 'technician visit',
          dueAt: new Date(Date.now() + 2 * 86_400_000).toISOString(),
          owner: 'agent-7',
        },
      });
      // A week later, on the shop's Facebook page.
      forwarder.track({
        event: 'case.message',
        anonymousId: 'facebook-page-inbox',
        properties: {
          caseId: c.caseId,
          identities: [{ channel: 'facebook', id: c.facebook }],
          channel: 'facebook',
          direction: 'in',
          text: 'still broken',
        },
      });
      // A survey answer from a signed link.
      const link = createSurveyLink({
        secret: SURVEY_SECRET,
        survey: 'after-repair',
        identity: { userId: c.userId },
        caseId: c.caseId,
        baseUrl: 'http://shop.test/survey',
      });
      const token = new URL(link).searchParams.get('t') ?? new URL(link).pathname.split('/').pop()!;
      const answered = await answers(
        new Request(`http://shop.test/survey?t=${token}`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: `t=${token}&score=1&comment=${encodeURIComponent(`email me at ${c.email}`)}`,
        }),
      );
      expect(answered.status).toBe(200);
      await surveyStore.markShown(c.userId, 'after-repair', Date.now());
      model.learnOrders([
        { customer: c.userId, at: '2026-10-01', items: ['filter', 'remote'], orderId: `h1-${c.userId}` },
        { customer: c.userId, at: '2026-11-01', items: ['filter'], orderId: `h2-${c.userId}` },
      ]);
    }
    await saveModel();
    await forwarder.flush();
    trainer.publish();
    expect(await forwarder.deadLetters('crm')).not.toHaveLength(0);
    // The Facebook account is linked to the customer the way a care team does it.
    await graph.link(
      { userId: alice.userId },
      { channel: 'facebook', id: alice.facebook },
      { reason: 'agent matched the chat' },
    );
    await graph.link(
      { userId: bob.userId },
      { channel: 'facebook', id: bob.facebook },
      { reason: 'agent matched the chat' },
    );

    // Before: both customers are everywhere.
    expect(await searchBytes(roots, needles(alice))).not.toHaveLength(0);
    const bobBefore = await searchBytes(roots, needles(bob));

    const privacy = createPrivacy({
      dir: join(dir, 'privacy'),
      forwarder,
      graph,
      cases: book,
      consent: ledger,
      dedupe,
      scrub: () => scrubStore(store),
      targets: [
        jsonlErasure(join(dir, 'out', 'touchpoints.jsonl')),
        forgetTarget('customer-model', (customer) => model.forget(customer), saveModel),
        forgetTarget('survey-store', (customer) => surveyStore.forget(customer)),
      ],
    });
    const record = await privacy.erase(
      { email: alice.email },
      { requestedBy: 'dpo@shop.example', reason: 'customer request #4411' },
    );
    expect(record.stores.every((s) => s.ok)).toBe(true);
    expect(await privacy.settled({ timeoutMs: 20_000 })).toBe(true);
    const [audit] = await privacy.erasures();
    expect(audit!.status, JSON.stringify(audit, null, 1)).toBe('done');
    expect(audit!.destinations).toMatchObject({
      webhook: { status: 'done' },
      segment: { status: 'done' },
      crm: { status: 'done' },
      recommender: { status: 'done' },
      cases: { status: 'done' },
      consent: { status: 'done' },
    });
    expect(audit!.identityKinds).toMatchObject({ userId: 1, anonymousId: 1, email: 1, phone: 1 });

    // Consent records are kept as proof, without identifiers.
    const proof = await privacy.consentsOfErasure(record.id);
    expect(proof).toHaveLength(1);
    expect(proof[0]).toMatchObject({ policyVersion: '2026-05', gpc: true, erasureId: record.id });
    expect(await privacy.consents({ userId: bob.userId })).toHaveLength(1);

    // The destinations were told.
    const erased = webhook.requests.map((r) => JSON.parse(r.body)).filter((b) => b.type === 'identity.erased');
    expect(erased).toHaveLength(1);
    const signed = webhook.requests.find((r) => r.body.includes('identity.erased'))!;
    expect(
      verifyWebhook({ body: signed.body, headers: signed.headers as Record<string, string>, secret: WEBHOOK_SECRET })
        .ok,
    ).toBe(true);
    const regulation = segment.requests.find((r) => r.url.includes('regulations'))!;
    expect(JSON.parse(regulation.body)).toMatchObject({
      regulationType: 'SUPPRESS_WITH_DELETE',
      subjectType: 'USER_ID',
      subjectIds: [alice.userId],
    });
    expect(crmErasures).toHaveLength(1);

    // Bob is all still there: his profile, his case history, his model, his events.
    expect((await graph.lookup({ userId: bob.userId }))?.identities.length).toBeGreaterThanOrEqual(4);
    expect((await book.history({ phone: bob.phone }))?.timeline.length).toBeGreaterThan(3);
    expect(await graph.lookup({ userId: alice.userId })).toBeUndefined();
    expect(await book.history({ phone: alice.phone })).toBeUndefined();
    expect(await surveyStore.lastShown(alice.userId)).toBeUndefined();
    expect(await surveyStore.lastShown(bob.userId)).toBeDefined();
    expect(JSON.stringify(model.toJSON())).toContain(bob.userId);

    await privacy.close();
    await forwarder.close();
    await store.close();

    // Every byte: zero hits of Alice in any form; Bob still in the log, the jsonl output and the database.
    expect(await searchBytes(roots, needles(alice))).toEqual([]);
    const bobAfter = await searchBytes(roots, needles(bob));
    const logRoot = engine === 'file' ? 'data/log/' : 'nats/';
    for (const where of [logRoot, 'data/out/', 'data/cases/', 'data/model.json'])
      expect(
        bobAfter.some((hit) => hit.includes(` in ${where}`)),
        where,
      ).toBe(true);
    expect(bobBefore.length).toBeGreaterThan(0);
    await webhook.close();
    await segment.close();
  }
});
