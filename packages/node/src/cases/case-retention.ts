/**
 * Retention for the case book: what is older than the shop keeps personal data for is deleted —
 * resolved cases (with their timeline, promises, states and aliases) resolved before the cutoff,
 * and a customer's touchpoints, feedback and orders recorded before it. Open cases are kept
 * whatever their age: an unanswered customer is still waiting. The identity graph keeps its
 * identities (they are what an erasure request finds the customer by); consent records are kept
 * as proof unless the ledger gets its own `days` (see `createConsentLedger`).
 *
 * Like an erasure, this deletes rows; `scrubStore()` removes their bytes from pages and WAL.
 */
import type { SqlStore } from './sql-store.js';

export interface RetentionResult {
  /** Every row deleted. */
  removed: number;
  cases: number;
  timeline: number;
  promises: number;
  states: number;
  orders: number;
}

const DAY = 86_400_000;

/** Deletes what is older than `days` before `now`, in one transaction. */
export async function applyCaseRetention(store: SqlStore, days: number, now: number): Promise<RetentionResult> {
  const cutoff = now - days * DAY;
  return store.transaction(async (tx) => {
    const count = async (sql: string, params: unknown[]) => (await tx.query(sql, params)).length;
    const expired = (
      await tx.query<{ id: string }>(`select id from cases where status = 'resolved' and resolved_at < $1`, [cutoff])
    ).map((r) => r.id);
    const timeline =
      (await count('delete from timeline where case_id = any($1::text[]) returning seq', [expired])) +
      // Entries outside any case (touchpoints, feedback) age on their own.
      (await count('delete from timeline where case_id is null and at < $1 returning seq', [cutoff]));
    const promises = await count('delete from promises where case_id = any($1::text[]) returning id', [expired]);
    const states = await count('delete from case_states where case_id = any($1::text[]) returning id', [expired]);
    await tx.query('delete from case_aliases where case_id = any($1::text[])', [expired]);
    const cases = await count('delete from cases where id = any($1::text[]) returning id', [expired]);
    const orders = await count('delete from orders where at < $1 returning id', [cutoff]);
    return { removed: cases + timeline + promises + states + orders, cases, timeline, promises, states, orders };
  });
}
