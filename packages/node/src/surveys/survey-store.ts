/**
 * What the survey planner remembers per customer: when they were last shown a survey (for the
 * cap across surveys) and the prompts waiting for their next page view (server-triggered
 * surveys). An interface, so a shop running several server instances can keep it in Redis or
 * its database; the default keeps it in memory, bounded, for one process.
 *
 * What it holds about a customer, keyed by their user id or anonymous id: when they were last
 * shown a survey, and the prompts queued for them with the properties the server gave (an order
 * id, a case id). `forget(customer)` removes both (an erasure:
 * `forgetTarget('surveys', (id) => store.forget(id))` calls it for every id of the profile).
 */
import type { JsonObject } from '@touchpoint/core';

/** A survey due for a customer's next page view, as the server queued it. */
export interface PendingSurvey {
  survey: string;
  /** When it was queued (ms since epoch). */
  at: number;
  /** Carried into the answer's feedback event, e.g. `{ orderId }`. */
  properties?: JsonObject;
}

export interface SurveyStore {
  /** When `customer` was last shown any survey (ms since epoch). */
  lastShown(customer: string): Promise<number | undefined>;
  markShown(customer: string, survey: string, at: number): Promise<void>;
  /** Queues a prompt; one per survey per customer (a second one replaces the first). */
  addPending(customer: string, pending: PendingSurvey): Promise<void>;
  /** Removes and returns the customer's queued prompts. */
  takePending(customer: string): Promise<PendingSurvey[]>;
  /**
   * Erases all it keeps about `customer` (last shown, queued prompts); resolves with how many
   * records were removed. Optional for custom stores, which then erase in their own database.
   */
  forget?(customer: string): Promise<number>;
}

/**
 * @example
 * const store = createMemorySurveyStore({ maxCustomers: 50_000 });
 */
export function createMemorySurveyStore(
  options: { maxCustomers?: number } = {},
): SurveyStore & { forget(customer: string): Promise<number> } {
  const max = options.maxCustomers ?? 100_000;
  const shown = new Map<string, number>();
  const pending = new Map<string, PendingSurvey[]>();
  // Map order is insertion order: the oldest entries go first when full.
  const bound = (map: Map<string, unknown>) => {
    while (map.size > max) map.delete(map.keys().next().value as string);
  };
  return {
    async lastShown(customer) {
      return shown.get(customer);
    },
    async markShown(customer, _survey, at) {
      shown.delete(customer);
      shown.set(customer, at);
      bound(shown);
    },
    async addPending(customer, item) {
      const list = (pending.get(customer) ?? []).filter((p) => p.survey !== item.survey);
      list.push(item);
      pending.delete(customer);
      pending.set(customer, list);
      bound(pending);
    },
    async takePending(customer) {
      const list = pending.get(customer) ?? [];
      pending.delete(customer);
      return list;
    },
    async forget(customer) {
      const removed = (shown.delete(customer) ? 1 : 0) + (pending.get(customer)?.length ?? 0);
      pending.delete(customer);
      return removed;
    },
  };
}
