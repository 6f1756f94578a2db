/**
 * The customer model's demo seed and its endpoint. A returning customer, `demo-returning`, has
 * bought ground coffee every two weeks for ten weeks (butter every other time), their last order 13 days ago, so
 * on their next visit the coffee is due and the storefront offers it with the reason. A few other
 * regulars give the shop its tempo. Every order the forwarder delivers later is learned too.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CustomerModel, CustomerOrder } from '@touchpoint/recommend';

/** The demo's returning customer (the storefront signs in as them with `?as=returning`). */
export const RETURNING_CUSTOMER = 'demo-returning';
export const DUE_PATH = '/api/recommendations/due';

const DAY = 86_400_000;

/**
 * @example
 * customers.learnOrders(returningCustomerOrders(Date.now()));
 */
export function returningCustomerOrders(now: number): CustomerOrder[] {
  const orders: CustomerOrder[] = [];
  // [customer, days since their last order, bought every time, bought every other time]
  const regulars: [string, number, string[], string[]][] = [
    [RETURNING_CUSTOMER, 13, ['coffee'], ['butter']],
    ['demo-regular-1', 3, ['whole-milk', 'rolls-buns'], ['yogurt']],
    ['demo-regular-2', 8, ['yogurt', 'coffee'], ['whole-milk']],
    ['demo-regular-3', 1, ['domestic-eggs', 'butter'], ['whole-milk']],
  ];
  for (const [customer, lastDaysAgo, always, sometimes] of regulars) {
    for (let k = 5; k >= 0; k--) {
      const at = now - (lastDaysAgo + 14 * k) * DAY;
      orders.push({ customer, at, items: k % 2 ? always : [...always, ...sometimes], orderId: `${customer}-${k}` });
    }
  }
  return orders;
}

/**
 * `GET ${DUE_PATH}?customer=<user id>` → `{ due: DueItem[] }` for the next 7 days. The demo takes
 * the id from the query; a shop would take it from the signed-in session, never from the URL.
 */
export function createDueHandler(customers: CustomerModel, now: () => number = Date.now) {
  return (req: IncomingMessage, res: ServerResponse) => {
    const customer = new URL(req.url ?? '/', 'http://localhost').searchParams.get('customer') ?? '';
    const due = customer ? customers.dueItems(customer, now(), { withinDays: 7 }) : [];
    res
      .writeHead(200, { 'content-type': 'application/json', 'cache-control': 'no-store' })
      .end(JSON.stringify({ due }));
  };
}
