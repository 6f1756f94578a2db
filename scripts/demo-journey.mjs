#!/usr/bin/env node
/**
 * A sample customer journey through all seven stages, built with @touchpoint/core's catalog,
 * validated with its wire-format schema and printed as a timeline — including one event the
 * validator rejects, to show what a developer sees when they send something wrong.
 * (The full storefront demo replaces this when it lands.)
 */
import { commerceTouchpoints, createMessageId, getTouchpoint, validateFeedback } from '@touchpoint/core';
import { parseBatch } from '@touchpoint/core/schema';

const start = Date.parse('2026-11-20T09:00:00Z');
const anonymousId = createMessageId();
const sessionId = `s-${anonymousId.slice(0, 8)}`;
let minute = 0;
const envelope = () => {
  minute += 3;
  return {
    messageId: createMessageId(),
    timestamp: new Date(start + minute * 60_000).toISOString(),
    anonymousId,
    sessionId,
  };
};
const track = (event, properties, extra = {}) => {
  const def = getTouchpoint(commerceTouchpoints, event);
  return { ...envelope(), type: 'track', event, properties, stage: def?.stage, channel: def?.channel, ...extra };
};

const journey = [
  track('ad.clicked', { campaign: 'winter-sale', network: 'search' }),
  {
    ...envelope(),
    type: 'page',
    name: 'Home',
    context: { page: { path: '/' }, campaign: { source: 'google', medium: 'cpc', name: 'winter-sale' } },
  },
  track('product.viewed', { productId: 'mug-42', name: 'Stoneware mug', price: 14 }),
  track('product.compared', { productIds: ['mug-42', 'mug-17'] }),
  track('cart.item_added', { productId: 'mug-42', quantity: 2, price: 14 }),
  track('offer.shown', { offerId: 'o-1', item: 'coasters-6', kind: 'upsell', trigger: 'cart.item_added' }),
  track('offer.accepted', { offerId: 'o-1', item: 'coasters-6', kind: 'upsell' }),
  track('checkout.started', { total: 37, currency: 'EUR' }),
  track('payment.submitted', { method: 'card', total: 37, currency: 'EUR' }),
  track('order.completed', { orderId: 'A-1001', total: 37, currency: 'EUR' }),
  {
    ...envelope(),
    type: 'identify',
    userId: 'cust-7',
    traits: { firstOrder: true },
    identities: [{ type: 'email', value: '4b9d…(sha-256)', hashed: true }],
  },
  track('account.created', { method: 'checkout' }, { userId: 'cust-7' }),
  track('order.shipped', { orderId: 'A-1001', carrier: 'DHL' }, { userId: 'cust-7' }),
  track('support.contacted', { topic: 'late delivery', orderId: 'A-1001' }, { userId: 'cust-7', channel: 'chat' }),
  {
    ...envelope(),
    type: 'feedback',
    userId: 'cust-7',
    feedback: { kind: 'nps', score: 4, comment: 'Mugs arrived a week late', touchpoint: 'order.completed' },
  },
  track('refund.issued', { orderId: 'A-1001', amount: { value: 4.9, currency: 'EUR' } }, { userId: 'cust-7' }),
  {
    ...envelope(),
    type: 'feedback',
    userId: 'cust-7',
    feedback: { kind: 'csat', score: 5, touchpoint: 'support.contacted' },
  },
  track('review.written', { productId: 'mug-42', rating: 5 }, { userId: 'cust-7' }),
  track('referral.sent', { channel: 'email' }, { userId: 'cust-7' }),
  // A mistake a developer might make: CSAT runs 1-5.
  { ...envelope(), type: 'feedback', userId: 'cust-7', feedback: { kind: 'csat', score: 9 } },
];

const result = parseBatch({ batch: journey, sentAt: new Date().toISOString(), v: 1 });
if (!result.ok) {
  console.error('batch rejected:', result.issues);
  process.exit(1);
}
const { batch, rejected } = result.value;
console.log(`\nTouchpoint — a sample journey, validated by @touchpoint/core (wire format v1)\n`);
console.log(`customer ${anonymousId} → cust-7\n`);
const rows = batch.map((e) => {
  const time = e.timestamp.slice(11, 16);
  if (e.type === 'track')
    return {
      time,
      stage: e.stage ?? '',
      channel: e.channel ?? '',
      touchpoint: e.event,
      detail: JSON.stringify(e.properties ?? {}).slice(0, 60),
    };
  if (e.type === 'feedback') {
    const f = e.feedback;
    return {
      time,
      stage: 'service',
      channel: 'web',
      touchpoint: `feedback:${f.kind}`,
      detail: `${f.score} → ${f.sentiment}${f.npsCategory ? ` (${f.npsCategory})` : ''} about ${f.touchpoint ?? '—'}`,
    };
  }
  if (e.type === 'identify')
    return {
      time,
      stage: '',
      channel: '',
      touchpoint: 'identify',
      detail: `userId=${e.userId}, ${e.identities?.length ?? 0} linked identities`,
    };
  return {
    time,
    stage: 'awareness',
    channel: 'web',
    touchpoint: `page:${e.name}`,
    detail: JSON.stringify(e.context?.campaign ?? {}),
  };
});
console.table(rows);

const stages = new Set(batch.flatMap((e) => (e.type === 'track' && e.stage ? [e.stage] : [])));
console.log(`\n${batch.length} events accepted, covering ${stages.size} journey stages: ${[...stages].join(' → ')}`);
const negative = batch.filter((e) => e.type === 'feedback' && e.feedback.sentiment === 'negative');
for (const e of negative) {
  const owner = getTouchpoint(commerceTouchpoints, e.feedback.touchpoint ?? '')?.owner ?? 'cx';
  console.log(
    `⚠ negative feedback (${e.feedback.kind} ${e.feedback.score}) about ${e.feedback.touchpoint}: route to team "${owner}" — "${e.feedback.comment}"`,
  );
}
for (const r of rejected)
  console.log(`✗ rejected batch[${r.index}]: ${r.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`);
const check = validateFeedback({ kind: 'ces', score: 2 });
console.log(`\nvalidateFeedback({ kind: 'ces', score: 2 }) → sentiment ${check.ok ? check.value.sentiment : '?'}`);
