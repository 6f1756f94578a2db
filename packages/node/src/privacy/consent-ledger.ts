/**
 * The consent ledger: every consent decision the browser reports (`consent.updated`: what was
 * granted, Global Privacy Control, the policy version, where it was decided) kept in the SQL store
 * as proof, queryable for a customer's whole profile. Decree 13 and the GDPR ask a shop to show
 * the consent it relied on even after the customer is erased, so an erasure keeps every record
 * and removes only who it was about: the identity keys are cleared and the erasure's id set.
 *
 * Guarantees:
 * - each event is recorded once (by `messageId`): the forwarder delivers at least once, and a
 *   redelivery — even after the customer was erased — changes nothing;
 * - a batch is acknowledged only after its records are committed;
 * - records are keyed by the identity graph's keys of the event's anonymousId and userId, and
 *   `consents(ref)` reads them for every identity of the profile, so a decision taken before
 *   sign-in is found from the user id.
 */
import { TouchpointConfigError, type TouchpointEvent } from '@touchpoint/core';
import type { IdentityGraph } from '../cases/identity-graph.js';
import type { IdentityKey, IdentityRef } from '../cases/identity-key.js';
import { keyString, keysOfSubject } from '../cases/profile-erasure.js';
import type { SqlStore } from '../cases/sql-store.js';
import { checkRetentionDays } from '../retention-days.js';
import type { DeliveryResult, Destination } from '../types.js';
import type { ErasureSubject, ErasureTargetResult } from './subject.js';
import { subjectOfRequest } from './subject.js';
import type { ConsentRecord } from './types.js';

/** The browser's consent event name. */
export const CONSENT_EVENT = 'consent.updated';

export interface ConsentLedgerOptions {
  /** Resolves a customer's profile for `consents()` and keys identities the way the graph does. */
  graph: Pick<IdentityGraph, 'key' | 'lookup'>;
  clock?: { now(): number };
}

export interface ConsentLedger {
  /** A forwarder destination that records `consent.updated` events and ignores every other event. */
  destination(options?: { name?: string }): Destination;
  /** Records one consent event; `false` when it is not one, or was recorded before. Throws `ConsentEventError` for a malformed one. */
  record(event: TouchpointEvent): Promise<boolean>;
  /** Every decision of the customer behind `ref` (their whole profile), oldest first. */
  consents(ref: IdentityRef): Promise<ConsentRecord[]>;
  /** The records kept for an erased customer, oldest first. */
  ofErasure(erasureId: string): Promise<ConsentRecord[]>;
  /** Keeps the subject's records and removes their identifiers (sets `erasureId`), in one transaction. */
  erase(subject: ErasureSubject): Promise<ErasureTargetResult>;
  /** Deletes records older than `days` (kept forever unless the shop sets a period for consent proof). */
  applyRetention(options: { days: number }): Promise<{ removed: number }>;
}

/** A `consent.updated` event the ledger cannot record: what is missing, in which event. */
export class ConsentEventError extends Error {
  readonly messageId: string;
  constructor(messageId: string, message: string) {
    super(message);
    this.name = 'ConsentEventError';
    this.messageId = messageId;
  }
}

interface Row {
  message_id: string;
  analytics: boolean;
  personalization: boolean;
  marketing: boolean;
  gpc: boolean;
  policy_version: string | null;
  source: string | null;
  at: unknown;
  erasure_id: string | null;
}

const COLUMNS = 'message_id, analytics, personalization, marketing, gpc, policy_version, source, at, erasure_id';

function toRecord(r: Row): ConsentRecord {
  return {
    consent: { analytics: r.analytics, personalization: r.personalization, marketing: r.marketing },
    gpc: r.gpc,
    ...(r.policy_version !== null ? { policyVersion: r.policy_version } : {}),
    at: new Date(Number(r.at)).toISOString(),
    messageId: r.message_id,
    ...(r.source !== null ? { source: r.source } : {}),
    ...(r.erasure_id !== null ? { erasureId: r.erasure_id } : {}),
  };
}

interface Parsed {
  messageId: string;
  keys: string[];
  analytics: boolean;
  personalization: boolean;
  marketing: boolean;
  gpc: boolean;
  policyVersion: string | null;
  source: string | null;
  at: number;
}

/**
 * @example
 * const store = await openEmbeddedStore({ dataDir: './data/cases' });
 * const graph = createIdentityGraph(store);
 * const ledger = createConsentLedger(store, { graph });
 * createForwarder({ destinations: [casesDestination(createCaseBook(graph)), ledger.destination()] });
 * const proof = await ledger.consents({ userId: 'u-42' });
 */
export function createConsentLedger(store: SqlStore, options: ConsentLedgerOptions): ConsentLedger {
  if (!store || typeof store.transaction !== 'function')
    throw new TouchpointConfigError(
      'createConsentLedger.store',
      'must be a store from openEmbeddedStore() or openPostgresStore()',
    );
  const graph = options?.graph;
  if (!graph || typeof graph.key !== 'function' || typeof graph.lookup !== 'function')
    throw new TouchpointConfigError('createConsentLedger.graph', 'must be the identity graph (createIdentityGraph())');
  const now = () => (options.clock ? options.clock.now() : Date.now());

  /** `undefined` for an event that is not a consent decision; throws for a malformed one. */
  function parse(event: TouchpointEvent): Parsed | undefined {
    if (event?.type !== 'track' || event.event !== CONSENT_EVENT) return undefined;
    const id = event.messageId;
    const p = (event.properties ?? {}) as Record<string, unknown>;
    const flag = (name: string, fallback?: boolean): boolean => {
      const value = p[name] ?? fallback;
      if (typeof value !== 'boolean')
        throw new ConsentEventError(id, `${CONSENT_EVENT} ${id}: properties.${name} must be true or false`);
      return value;
    };
    const text = (name: string): string | null => {
      const value = p[name];
      if (value === undefined || value === null) return null;
      if (typeof value !== 'string' || value.length > 200)
        throw new ConsentEventError(
          id,
          `${CONSENT_EVENT} ${id}: properties.${name} must be a string of at most 200 characters`,
        );
      return value;
    };
    const at = Date.parse(event.timestamp);
    if (!Number.isFinite(at)) throw new ConsentEventError(id, `${CONSENT_EVENT} ${id}: timestamp is not ISO 8601`);
    const refs: IdentityRef[] = [
      ...(event.anonymousId ? [{ anonymousId: event.anonymousId }] : []),
      ...(event.userId ? [{ userId: event.userId }] : []),
    ];
    if (refs.length === 0)
      throw new ConsentEventError(
        id,
        `${CONSENT_EVENT} ${id}: needs an anonymousId or a userId to say whose decision it is`,
      );
    return {
      messageId: id,
      keys: refs.map((ref) => keyString(graph.key(ref))),
      analytics: flag('analytics'),
      personalization: flag('personalization'),
      marketing: flag('marketing'),
      // The browser sends `gpc` only when the signal is on; its absence is a browser without it.
      gpc: flag('gpc', false),
      policyVersion: text('policyVersion'),
      source: text('source'),
      at,
    };
  }

  async function insert(records: Parsed[]): Promise<number> {
    if (records.length === 0) return 0;
    const received = now();
    return store.transaction(async (tx) => {
      let added = 0;
      for (const r of records) {
        const rows = await tx.query(
          `insert into consent_records (message_id, subject_keys, analytics, personalization, marketing, gpc, policy_version, source, at, received_at)
           values ($1, $2::text[], $3, $4, $5, $6, $7, $8, $9, $10) on conflict (message_id) do nothing returning id`,
          [
            r.messageId,
            r.keys,
            r.analytics,
            r.personalization,
            r.marketing,
            r.gpc,
            r.policyVersion,
            r.source,
            r.at,
            received,
          ],
        );
        added += rows.length;
      }
      return added;
    });
  }

  const keysOf = async (ref: IdentityRef): Promise<string[]> => {
    const profile = await graph.lookup(ref);
    const keys: IdentityKey[] = profile ? profile.identities : [graph.key(ref)];
    return keys.map(keyString);
  };

  const ledger: ConsentLedger = {
    destination(opts = {}) {
      return {
        name: opts.name ?? 'consent',
        // Valid decisions of a batch are committed before any answer; a malformed one cannot get
        // better on retry, so the batch is answered not-retryable and lands in dead letters, where
        // it stays visible (recording again skips what was already committed).
        async send(events): Promise<DeliveryResult | undefined> {
          const ok: Parsed[] = [];
          const refused: string[] = [];
          for (const event of events) {
            try {
              const parsed = parse(event);
              if (parsed) ok.push(parsed);
            } catch (error) {
              if (!(error instanceof ConsentEventError)) throw error;
              refused.push(error.message);
            }
          }
          await insert(ok);
          if (refused.length === 0) return undefined;
          return { ok: false, retryable: false, message: refused.slice(0, 5).join('; ') };
        },
        // `createPrivacy` erases the ledger as a store; the fan-out to this destination confirms it
        // by the request's ids, which also catches a decision recorded from a batch in flight meanwhile.
        async erase(request) {
          await ledger.erase(subjectOfRequest(request));
        },
      };
    },
    async record(event) {
      const parsed = parse(event);
      return parsed ? (await insert([parsed])) > 0 : false;
    },
    async consents(ref) {
      const keys = await keysOf(ref);
      const rows = await store.query<Row>(
        `select ${COLUMNS} from consent_records where subject_keys && $1::text[] order by at, id`,
        [keys],
      );
      return rows.map(toRecord);
    },
    async ofErasure(erasureId) {
      const rows = await store.query<Row>(
        `select ${COLUMNS} from consent_records where erasure_id = $1 order by at, id`,
        [erasureId],
      );
      return rows.map(toRecord);
    },
    async erase(subject) {
      const keys = keysOfSubject(subject, graph.key).map(keyString);
      const rows = await store.transaction((tx) =>
        tx.query(
          `update consent_records set subject_keys = '{}', erasure_id = coalesce(erasure_id, $2)
           where subject_keys && $1::text[] returning id`,
          [keys, subject.erasureId],
        ),
      );
      return {
        erased: rows.length,
        detail:
          rows.length > 0
            ? `kept ${rows.length} consent records as proof without identifiers`
            : 'no consent records for this customer',
      };
    },
    async applyRetention(opts) {
      const days = checkRetentionDays(opts?.days, 'consent retention days');
      const rows = await store.transaction((tx) =>
        tx.query('delete from consent_records where at < $1 returning id', [now() - days * 86_400_000]),
      );
      return { removed: rows.length };
    },
  };
  return ledger;
}
