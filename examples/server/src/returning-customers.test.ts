import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createCustomerModel } from '@touchpoint/recommend';
import { describe, expect, it } from 'vitest';
import { createDueHandler, RETURNING_CUSTOMER, returningCustomerOrders } from './returning-customers.js';

describe('the returning customer of the demo', () => {
  it('is due to buy their coffee again, with the reason, over HTTP', async () => {
    const now = Date.parse('2026-11-30T10:00:00Z');
    const customers = createCustomerModel({ exploreWeight: 0 });
    customers.learnOrders(returningCustomerOrders(now));
    const server = createServer(createDueHandler(customers, () => now));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const res = await fetch(`http://127.0.0.1:${port}/api/recommendations/due?customer=${RETURNING_CUSTOMER}`);
      const { due } = (await res.json()) as { due: { item: string; probability: number; because: string }[] };
      expect(due[0]).toMatchObject({
        item: 'coffee',
        because: 'you buy this about every 2 weeks; last time 13 days ago',
      });
      expect(due[0]!.probability).toBeGreaterThan(0.3); // the planner's default minProbability
      const nobody = await fetch(`http://127.0.0.1:${port}/api/recommendations/due?customer=someone-else`);
      expect(await nobody.json()).toEqual({ due: [] });
    } finally {
      server.close();
    }
  });
});
