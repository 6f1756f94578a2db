// @vitest-environment node
/**
 * End to end over loopback HTTP: a signed-in customer's orders (as the storefront tracker sends
 * them) → @touchpoint/node ingest → forwarder → trainer → customer model → due items → the
 * planner's replenishment prompt on their next visit, on a manual clock. @touchpoint/node is
 * loaded from its build (this package must not depend on it): run `pnpm build` first.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { TouchpointEvent } from '@touchpoint/core';
import { createManualClock } from '@touchpoint/core/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { createCustomerModel } from '../src/customers/index.js';
import { createUpsellPlanner, emptyState } from '../src/planner/index.js';
import { createRecommenderTrainer } from '../src/trainer/index.js';
import { catalogOf } from './fixtures.js';
import { type LoopbackServer, serveHandler } from './serve-handler.js';

const nodeDist = resolve(__dirname, '../../node/dist/index.js');
const present = existsSync(nodeDist);
if (!present) {
  const message = `@touchpoint/node is not built (${nodeDist}); run pnpm build`;
  if (process.env.CI === 'true') throw new Error(message);
  console.warn(`⚠ SKIPPED: orders → due prompt test ${message}`);
}

const DAY = 86_400_000;
const servers: LoopbackServer[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
});

let n = 0;
function order(userId: string, at: number, productIds: string[]): TouchpointEvent {
  n++;
  return {
    type: 'track',
    event: 'order.completed',
    messageId: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    timestamp: new Date(at).toISOString(),
    anonymousId: `anon-${userId}`,
    userId,
    sessionId: `s-${n}`,
    properties: { orderId: `o-${n}`, items: productIds.map((productId) => ({ productId, quantity: 1 })) },
  } as TouchpointEvent;
}

describe.skipIf(!present)('forwarded orders → customer model → replenishment prompt', () => {
  it('prompts a returning customer with the item they are due to buy again', async () => {
    const node = await import(pathToFileURL(nodeDist).href);
    const today = Date.now() - (Date.now() % DAY) + 10 * 3_600_000;
    // Six orders three weeks apart, the last 18 days ago; other customers give the shop's tempo.
    const events: TouchpointEvent[] = [];
    for (let k = 5; k >= 0; k--) {
      events.push(order('u-camper', today - (18 + 21 * k) * DAY, ['gas-canister', k % 2 ? 'pot' : 'tent-pegs']));
      for (let c = 0; c < 6; c++) events.push(order(`u${c}`, today - (18 + c + 21 * k) * DAY, ['gas-canister']));
    }
    const customers = createCustomerModel();
    const trainer = createRecommenderTrainer({ customers, publishIntervalMs: 0 });
    const forwarder = node.createForwarder({ destinations: [trainer], onError: () => {} });
    const ingest = node.createIngestHandler({ forwarder, writeKeys: ['pk_test'] });
    const server = await serveHandler(ingest);
    servers.push(server);
    const response = await fetch(`${server.url}/ingest`, {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain;charset=UTF-8' },
      body: JSON.stringify({ batch: events, sentAt: new Date().toISOString(), v: 1, writeKey: 'pk_test' }),
    });
    expect(response.status).toBe(200);
    await forwarder.flush();
    expect(customers.orderCount).toBe(events.length);

    const clock = createManualClock(today);
    const planner = createUpsellPlanner({ clock, replenishment: { minProbability: 0.2 } });
    const catalog = catalogOf();
    const decide = () =>
      planner.decideReplenishment({
        due: customers.dueItems('u-camper', clock.now(), { withinDays: planner.policy.replenishment.withinDays }),
        state: emptyState(),
        consent: true,
        catalog,
      });
    const d = decide();
    expect(d).toMatchObject({
      show: true,
      reason: 'replenishment',
      offer: {
        item: 'gas-canister',
        title: 'Gas canister 450 g',
        timing: 'you buy this about every 3 weeks; last time 18 days ago',
      },
    });
    // The customer just ordered again (the forwarder delivers it to the trainer): nothing is due any more.
    await trainer.send([order('u-camper', today, ['gas-canister'])]);
    expect(decide()).toEqual({ show: false, reason: 'no_candidate' });
    // Erasure reaches the customer model through the trainer.
    trainer.forget('u-camper');
    expect(customers.dueItems('u-camper', clock.now())).toEqual([]);
    await forwarder.close({ timeoutMs: 1000 });
    await trainer.close();
  });
});
