// @vitest-environment node
/**
 * Optional check on the shared customer histories (../shared/data/onlineretail-customers, outside
 * the repo): the README's protocol, as `pnpm bench` runs it, must keep the customer model at or
 * above P-TopFreq on the next basket and below the customer-rhythm anchor on the next order date.
 * Skipped, loudly, where the data is absent (it is not part of the repository).
 */
import { describe, expect, it } from 'vitest';
// @ts-expect-error: plain ESM bench helpers without type declarations
import { pTopFreq, timingAnchors } from '../bench/customer-anchors.mjs';
// @ts-expect-error: plain ESM bench helpers without type declarations
import * as protocol from '../bench/customer-protocol.mjs';
import { createCustomerModel } from '../src/customers/index.js';

const { evaluateRanking, evaluateTiming, loadCustomers, split, timingCandidates } = protocol;
const DAY = 86_400_000;
const customers = loadCustomers();
if (!customers) console.warn('⚠ SKIPPED: shared-data check (../shared/data/onlineretail-customers not found)');

describe.skipIf(!customers)('customer model on the shared Online Retail histories', () => {
  it('matches P-TopFreq on the next basket and beats the rhythm anchor on the next order date', () => {
    const sp = split(customers, 'test');
    const model = createCustomerModel();
    const orders = [];
    for (const [customer, baskets] of sp.train)
      for (const b of baskets) orders.push({ customer, at: b.day * DAY, items: b.items, orderId: b.invoice });
    model.learnOrders(orders);
    const ours = evaluateRanking(sp, (c: string) => model.predictNextBasket(c).map((x) => x.item));
    const anchor = evaluateRanking(sp, pTopFreq(sp));
    expect(ours.recall.mean).toBeGreaterThanOrEqual(anchor.recall.mean);
    expect(ours.repeat.mean).toBeGreaterThanOrEqual(anchor.repeat.mean);
    const timing = timingCandidates(sp);
    const rhythm = evaluateTiming(timing, timingAnchors(timing).customerRhythm);
    const next = evaluateTiming(timing, (c: { customer: string }) => model.nextOrder(c.customer)!.at / DAY);
    expect(next.mae).toBeLessThan(rhythm.mae - 2);
  }, 120_000);
});
