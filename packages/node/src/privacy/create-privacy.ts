/**
 * `createPrivacy()` — erase a customer everywhere Touchpoint holds their data, tell every
 * destination, keep proof of consent, and expire what is old.
 *
 * One erasure, step by step (each step durable before the next, so a crash resumes it):
 *   1. resolve: the identity graph turns the identity asked for into the whole profile (every
 *      linked anonymous id, user id, email and phone digest, channel account, case id);
 *   2. journal: those identifiers go to `pending/<id>.json`, the audit record to `audit.jsonl`;
 *   3. stores: the log and every dead-letter log, the dedupe window, consent records (kept, minus
 *      identifiers), cases, the identity graph, the caller's own targets (`jsonl` files, survey
 *      stores, models), then the database is scrubbed so deleted rows leave no bytes behind;
 *   4. destinations: each gets `erase(request)`; retryable failures are retried with backoff like
 *      deliveries, each status (pending, done, failed with its reason, unsupported) is journaled;
 *   5. settle: when no store or destination is pending, the pending file — the last copy of the
 *      identifiers — is removed; the audit record (no personal data) stays.
 */
import { randomBytes } from 'node:crypto';
import { backoffDelay, TouchpointConfigError } from '@touchpoint/core';
import { createIdentityKeys, type IdentityKey, type IdentityRef } from '../cases/identity-key.js';
import { keyString, parseKeyString } from '../cases/profile-erasure.js';
import { checkRetentionDays } from '../retention-days.js';
import { type ErasureJournal, openErasureJournal, type PendingErasure } from './erasure-journal.js';
import {
  createErasureSubject,
  type ErasureRequest,
  type ErasureSubject,
  type ErasureTarget,
  type ErasureTargetResult,
  erasureRequest,
  type KeyOf,
  type SubjectInput,
} from './subject.js';
import type { ConsentRecord, DestinationErasureStatus, ErasureRecord, Privacy, StoreErasureResult } from './types.js';

/** What a destination answered to one erasure attempt (`forwarder.eraseAt`). */
export type DestinationEraseOutcome =
  | { status: 'done' }
  | { status: 'unsupported' }
  | { status: 'retry'; message: string; retryAfterMs?: number }
  | { status: 'failed'; message: string };

/** The part of a forwarder the privacy layer uses (`createForwarder()` returns one). */
export interface ErasableForwarder {
  erase(subject: ErasureSubject): Promise<(ErasureTargetResult & { store: string })[]>;
  eraseAt(destination: string, request: ErasureRequest): Promise<DestinationEraseOutcome>;
  destinationNames(): string[];
  applyRetention?(options: { days: number }): Promise<{ store: string; removed: number }[]>;
}

/** The part of the identity graph the privacy layer uses (`createIdentityGraph()` returns one). */
export interface ProfileSource {
  key(ref: IdentityRef): IdentityKey;
  /** Every identity and case of the profiles these refs belong to (`ProfileScope`). */
  profileOf(refs: IdentityRef[]): Promise<{
    keys: string[];
    anonymousIds: string[];
    userIds: string[];
    accounts: { channel: string; id: string }[];
    caseIds: string[];
  }>;
  erase(subject: ErasureSubject): Promise<ErasureTargetResult>;
}

/** The part of the case book the privacy layer uses. */
export interface CaseSource {
  erase(subject: ErasureSubject): Promise<ErasureTargetResult>;
  applyRetention?(options: { days: number }): Promise<{ removed: number }>;
}

/** The part of the consent ledger the privacy layer uses. */
export interface ConsentSource {
  consents(ref: IdentityRef): Promise<ConsentRecord[]>;
  ofErasure(erasureId: string): Promise<ConsentRecord[]>;
  erase(subject: ErasureSubject): Promise<ErasureTargetResult>;
  applyRetention?(options: { days: number }): Promise<{ removed: number }>;
}

export interface PrivacyOptions {
  /** Directory for the erasure journal: audit records (kept) and erasures in progress (removed when done). */
  dir: string;
  /** Erases the log and the dead letters, and fans out to its destinations. */
  forwarder?: ErasableForwarder;
  /** Resolves the whole profile from one identity; erased last, after everything that needed it. */
  graph?: ProfileSource;
  cases?: CaseSource;
  consent?: ConsentSource;
  /** Physically removes deleted rows from the database the graph, cases and consent records live in. */
  scrub?: () => Promise<unknown>;
  /** The ingest's dedupe store: forgets the erased events' message ids. */
  dedupe?: { forget(messageIds: string[]): Promise<number> };
  /** Other stores: `jsonl` files, survey stores, recommender models (`forgetTarget`), your own. */
  targets?: ErasureTarget[];
  /** Without a graph: how emails and phones are keyed (same options as the graph's). */
  identityKeys?: { hashKey?: string; defaultCountryCode?: string };
  /**
   * Deletes what is older than `days` from the log, dead letters and cases every `everyMs`
   * (default 1 h); consent records only after `consentDays` (they are the proof the law asks for).
   */
  retention?: { days: number; consentDays?: number; everyMs?: number };
  /** Retries of failed stores and destinations: full-jitter backoff, given up after `maxAgeMs` (default 7 days). */
  retry?: { baseMs?: number; maxMs?: number; maxAgeMs?: number };
  now?: () => number;
  /** Failures that were retried or recorded (also in the audit record). Never holds personal data. */
  onError?: (error: { source: string; message: string; error?: unknown }) => void;
}

/** The typed error `erase` throws for a request it cannot act on (nothing was erased). */
export class ErasureInputError extends Error {
  readonly code: 'invalid_identity' | 'invalid_request' | 'closed';
  constructor(code: ErasureInputError['code'], message: string) {
    super(message);
    this.name = 'ErasureInputError';
    this.code = code;
  }
}

const DAY = 86_400_000;

function checkOptions(options: PrivacyOptions): void {
  if (!options || typeof options.dir !== 'string' || options.dir === '')
    throw new TouchpointConfigError('createPrivacy.dir', 'must be a directory path for the erasure journal');
  if (options.retention !== undefined) {
    checkRetentionDays(options.retention.days, 'createPrivacy.retention.days');
    if (options.retention.consentDays !== undefined)
      checkRetentionDays(options.retention.consentDays, 'createPrivacy.retention.consentDays');
  }
  for (const [i, t] of (options.targets ?? []).entries())
    if (!t || typeof t.name !== 'string' || typeof t.erase !== 'function')
      throw new TouchpointConfigError(`createPrivacy.targets[${i}]`, 'must be { name, erase(subject) }');
}

/** Replaces anything identifying in a message (a driver's error may quote a value) before it is recorded. */
function redact(text: string, needles: ReadonlySet<string>): string {
  const escaped = [...needles].filter((n) => n.length >= 3).map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  // Case-insensitive: needles are normalised (lower-case emails), a message quotes what it was given.
  const out = escaped.length > 0 ? text.replace(new RegExp(escaped.join('|'), 'gi'), '[redacted]') : text;
  return out.length > 500 ? `${out.slice(0, 500)}…` : out;
}

/**
 * @example
 * const privacy = createPrivacy({ dir: './data/privacy', forwarder, graph, cases: book, consent: ledger,
 *   scrub: () => scrubStore(store), targets: [jsonlErasure('./data/touchpoints.jsonl')] });
 * const record = await privacy.erase({ email: 'an@example.com' }, { requestedBy: 'dpo@shop.example' });
 */
export function createPrivacy(options: PrivacyOptions): Privacy {
  checkOptions(options);
  const now = options.now ?? Date.now;
  const onError = options.onError ?? (() => {});
  const retry = { baseMs: options.retry?.baseMs ?? 1000, maxMs: options.retry?.maxMs ?? 3_600_000 };
  const maxAgeMs = options.retry?.maxAgeMs ?? 7 * DAY;
  const localKeys = createIdentityKeys(options.identityKeys);
  const keyRef = (ref: IdentityRef) => (options.graph ? options.graph.key(ref) : localKeys(ref));
  const keyOf: KeyOf = (kind, value, hashed) =>
    keyRef(hashed ? { type: kind, value, hashed: true } : ({ [kind]: value } as IdentityRef)).value;

  const timers = new Set<NodeJS.Timeout>();
  /** Erasures in progress: their subject (rebuilt from the journal on start) and attempt counts. */
  const running = new Map<string, { pending: PendingErasure; subject: ErasureSubject; storeAttempts: number }>();
  const waiters = new Set<() => void>();
  let closed = false;
  let retentionTimer: NodeJS.Timeout | undefined;

  const ready: Promise<ErasureJournal> = openErasureJournal(options.dir).then(async (journal) => {
    const pendings = await journal.loadPending();
    for (const pending of pendings) {
      const record = journal.records.get(pending.id);
      // Settled just before a crash removed the file: only the file is left to remove.
      if (record && record.status !== 'pending') await journal.dropPending(pending.id);
      else if (record) resume(journal, pending);
    }
    // The audit record is written first: one without its pending file was cut off before any store was touched.
    const resumed = new Set(pendings.map((p) => p.id));
    for (const record of [...journal.records.values()])
      if (record.status === 'pending' && !resumed.has(record.id))
        await journal.put({
          ...record,
          status: 'failed',
          completedAt: new Date(now()).toISOString(),
          stores: [
            { store: 'journal', ok: false, erased: 0, detail: 'interrupted before any store was erased: ask again' },
          ],
        });
    return journal;
  });
  ready.catch((error) =>
    onError({ source: 'privacy', message: `cannot open the erasure journal: ${String(error)}`, error }),
  );

  if (options.retention) {
    retentionTimer = setInterval(() => {
      applyRetention().catch((error) => onError({ source: 'retention', message: String(error), error }));
    }, options.retention.everyMs ?? 3_600_000);
    retentionTimer.unref();
  }

  /** Work that runs on its own (retries, fan-out): its failure is reported, and `close()` waits for it. */
  const inFlight = new Set<Promise<unknown>>();
  function background(work: Promise<unknown>): void {
    const tracked = work
      .catch((error) => {
        if (!closed)
          onError({ source: 'privacy', message: error instanceof Error ? error.message : String(error), error });
      })
      .finally(() => inFlight.delete(tracked));
    inFlight.add(tracked);
  }

  function later(ms: number, fn: () => void): void {
    if (closed) return;
    const timer = setTimeout(() => {
      timers.delete(timer);
      fn();
    }, ms);
    timer.unref();
    timers.add(timer);
  }

  const subjectOf = (pending: PendingErasure) => createErasureSubject({ ...pending.subject, keyOf });

  function resume(journal: ErasureJournal, pending: PendingErasure): void {
    const state = { pending, subject: subjectOf(pending), storeAttempts: 0 };
    running.set(pending.id, state);
    background(runStores(journal, state).then(() => startDestinations(journal, pending.id)));
  }

  /** Resolves every identity asked for to its whole profile; ids the graph never saw are erased as given. */
  async function resolve(refs: IdentityRef[]): Promise<Omit<SubjectInput, 'keyOf' | 'erasureId'>> {
    const emails: string[] = [];
    const phones: string[] = [];
    const own = new Map<string, IdentityKey>();
    for (const ref of refs) {
      try {
        const key = keyRef(ref);
        own.set(keyString(key), key);
      } catch (error) {
        throw new ErasureInputError('invalid_identity', (error as Error).message);
      }
      const r = ref as Record<string, unknown>;
      // The graph keeps only digests: a raw email or phone asked for is what lets destinations and files be searched for it.
      if (typeof r.email === 'string') emails.push(r.email);
      if (typeof r.phone === 'string') phones.push(r.phone);
      if ((r.type === 'email' || r.type === 'phone') && r.hashed !== true && typeof r.value === 'string')
        (r.type === 'email' ? emails : phones).push(r.value);
    }
    const common = { emails, phones, defaultCountryCode: options.identityKeys?.defaultCountryCode };
    if (options.graph) {
      const scope = await options.graph.profileOf(refs);
      return { ...common, ...scope, keys: scope.keys };
    }
    const all = [...own.values()];
    const of = (kind: string) => all.filter((k) => k.kind === kind).map((k) => k.value);
    return {
      ...common,
      keys: [...own.keys()],
      anonymousIds: of('anonymousId'),
      userIds: of('userId'),
      accounts: all
        .filter((k) => k.kind.startsWith('account:'))
        .map((k) => ({ channel: k.kind.slice('account:'.length), id: k.value })),
      caseIds: [],
    };
  }

  /** The stores, in order: what needs the graph to find the customer's data goes before the graph. */
  function steps(): {
    /** What `storesDone` remembers. */
    name: string;
    /** What the audit calls the store when the step fails. */
    store: string;
    run(subject: ErasureSubject, pending: PendingErasure): Promise<StoreErasureResult[]>;
  }[] {
    const one = (store: string, r: ErasureTargetResult): StoreErasureResult[] => [
      { store, ok: true, erased: r.erased, ...(r.detail ? { detail: r.detail } : {}) },
    ];
    const out: ReturnType<typeof steps> = [];
    const { forwarder, dedupe, consent, cases, graph, scrub } = options;
    if (forwarder)
      out.push({
        name: 'forwarder',
        store: 'log',
        async run(subject, pending) {
          const results = await forwarder.erase(subject);
          // Destinations may delete by message id; the dedupe window forgets them below.
          const ids = new Set(pending.request.messageIds);
          for (const r of results) for (const id of r.messageIds ?? []) ids.add(id);
          pending.request.messageIds = [...ids];
          return results.map((r) => ({
            store: r.store,
            ok: true,
            erased: r.erased,
            ...(r.detail ? { detail: r.detail } : {}),
          }));
        },
      });
    if (dedupe)
      out.push({
        name: 'dedupe',
        store: 'dedupe',
        run: async (_s, pending) => one('dedupe', { erased: await dedupe.forget(pending.request.messageIds) }),
      });
    if (consent)
      out.push({ name: 'consent', store: 'consent', run: async (s) => one('consent', await consent.erase(s)) });
    if (cases) out.push({ name: 'cases', store: 'cases', run: async (s) => one('cases', await cases.erase(s)) });
    for (const target of options.targets ?? [])
      out.push({
        name: `target:${target.name}`,
        store: target.name,
        run: async (s) => one(target.name, await target.erase(s)),
      });
    if (graph)
      out.push({
        name: 'identity-graph',
        store: 'identity-graph',
        run: async (s) => one('identity-graph', await graph.erase(s)),
      });
    if (scrub)
      out.push({
        name: 'scrub',
        store: 'database-scrub',
        run: async () => {
          const r = (await scrub()) as { detail?: unknown } | undefined;
          const detail = typeof r?.detail === 'string' ? { detail: r.detail } : {};
          return [{ store: 'database-scrub', ok: true, erased: 0, ...detail }];
        },
      });
    return out;
  }

  async function runStores(
    journal: ErasureJournal,
    state: { pending: PendingErasure; subject: ErasureSubject; storeAttempts: number },
  ): Promise<void> {
    const { pending, subject } = state;
    const record = journal.records.get(pending.id);
    if (!record) return;
    const results = new Map(record.stores.map((s) => [s.store, s]));
    let failed = false;
    for (const step of steps()) {
      if (pending.storesDone.includes(step.name)) continue;
      try {
        for (const r of await step.run(subject, pending)) results.set(r.store, r);
        pending.storesDone.push(step.name);
        await journal.savePending(pending);
      } catch (error) {
        failed = true;
        const message = redact(error instanceof Error ? error.message : String(error), subject.needles);
        results.set(step.store, { store: step.store, ok: false, erased: 0, detail: message });
        onError({ source: `erase:${step.name}`, message });
      }
    }
    state.storeAttempts++;
    // Destinations may have answered meanwhile: build on the current version, not the one read above.
    const next: ErasureRecord = { ...journal.records.get(pending.id)!, stores: [...results.values()] };
    if (!failed) next.erasedAt ??= new Date(now()).toISOString();
    await journal.put(next);
    if (failed) {
      if (now() - Date.parse(record.requestedAt) > maxAgeMs) {
        onError({
          source: 'privacy',
          message: `erasure ${pending.id}: a store still fails after ${state.storeAttempts} attempts; given up`,
        });
        await settle(journal, pending.id, true);
        return;
      }
      later(Math.max(retry.baseMs, backoffDelay(state.storeAttempts, retry)), () => {
        background(runStores(journal, state).then(() => settle(journal, pending.id)));
      });
    }
  }

  function startDestinations(journal: ErasureJournal, id: string): void {
    const record = journal.records.get(id);
    if (!record) return;
    for (const [name, status] of Object.entries(record.destinations))
      if (status.status === 'pending') background(attempt(journal, id, name));
    background(settle(journal, id));
  }

  async function attempt(journal: ErasureJournal, id: string, name: string): Promise<void> {
    const state = running.get(id);
    const record = journal.records.get(id);
    if (!state || !record || closed) return;
    const before = record.destinations[name];
    const attempts = (before && 'attempts' in before ? before.attempts : 0) + 1;
    let outcome: DestinationEraseOutcome;
    try {
      outcome = await options.forwarder!.eraseAt(name, state.pending.request);
    } catch (error) {
      outcome = { status: 'retry', message: error instanceof Error ? error.message : String(error) };
    }
    const at = new Date(now()).toISOString();
    let status: DestinationErasureStatus;
    if (outcome.status === 'done') status = { status: 'done', attempts, at };
    else if (outcome.status === 'unsupported') status = { status: 'unsupported' };
    else {
      const message = redact(outcome.message, state.subject.needles);
      onError({ source: `erase:${name}`, message });
      if (outcome.status === 'failed') status = { status: 'failed', attempts, at, reason: message };
      else if (now() - Date.parse(record.requestedAt) > maxAgeMs)
        status = { status: 'failed', attempts, at, reason: `gave up after ${attempts} attempts: ${message}` };
      else {
        const delay = Math.max(outcome.retryAfterMs ?? 0, retry.baseMs, backoffDelay(attempts, retry));
        status = {
          status: 'pending',
          attempts,
          lastError: message,
          nextAttemptAt: new Date(now() + delay).toISOString(),
        };
        later(delay, () => background(attempt(journal, id, name)));
      }
    }
    const current = journal.records.get(id)!;
    await journal.put({ ...current, destinations: { ...current.destinations, [name]: status } });
    await settle(journal, id);
  }

  /** Completes an erasure once nothing is pending: the final status, and the identifiers are gone. */
  async function settle(journal: ErasureJournal, id: string, givenUp = false): Promise<void> {
    const record = journal.records.get(id);
    const state = running.get(id);
    if (!record || !state || record.status !== 'pending') return;
    const statuses = Object.values(record.destinations);
    const storesOk = record.erasedAt !== undefined && record.stores.every((s) => s.ok);
    if (!givenUp && (!storesOk || statuses.some((s) => s.status === 'pending'))) return;
    running.delete(id);
    const failed = !storesOk || statuses.some((s) => s.status === 'failed');
    await journal.put({ ...record, status: failed ? 'failed' : 'done', completedAt: new Date(now()).toISOString() });
    await journal.dropPending(id);
    for (const wake of [...waiters]) wake();
  }

  async function applyRetention(): Promise<{ store: string; removed: number }[]> {
    const retention = options.retention;
    if (!retention) return [];
    const out: { store: string; removed: number }[] = [];
    if (options.forwarder?.applyRetention)
      out.push(...(await options.forwarder.applyRetention({ days: retention.days })));
    if (options.cases?.applyRetention)
      out.push({ store: 'cases', removed: (await options.cases.applyRetention({ days: retention.days })).removed });
    // Consent records are proof: kept for their own period, only when one is set.
    if (retention.consentDays !== undefined && options.consent?.applyRetention)
      out.push({
        store: 'consent',
        removed: (await options.consent.applyRetention({ days: retention.consentDays })).removed,
      });
    // Deleted rows stay in the database's files until rewritten.
    if (options.scrub && out.some((r) => (r.store === 'cases' || r.store === 'consent') && r.removed > 0))
      await options.scrub();
    return out;
  }

  return {
    async erase(identity, request) {
      if (closed) throw new ErasureInputError('closed', 'createPrivacy: erase after close()');
      const refs = Array.isArray(identity) ? identity : [identity];
      if (refs.length === 0) throw new ErasureInputError('invalid_identity', 'erase needs at least one identity');
      if (!request || typeof request.requestedBy !== 'string' || request.requestedBy.trim() === '')
        throw new ErasureInputError(
          'invalid_request',
          'erase needs { requestedBy }: who asked (an operator id, or "customer")',
        );
      const journal = await ready;
      const id = `er_${now().toString(36)}_${randomBytes(6).toString('hex')}`;
      const subjectInput = { erasureId: id, ...(await resolve(refs)) };
      const subject = createErasureSubject({ ...subjectInput, keyOf });
      const requestedAt = new Date(now());
      const pending: PendingErasure = {
        id,
        subject: subjectInput,
        request: erasureRequest(subject, requestedAt),
        storesDone: [],
      };
      const identityKinds: Record<string, number> = {};
      for (const key of subjectInput.keys ?? []) {
        const kind = parseKeyString(key)?.kind ?? key;
        identityKinds[kind] = (identityKinds[kind] ?? 0) + 1;
      }
      const destinations: Record<string, DestinationErasureStatus> = {};
      for (const name of options.forwarder?.destinationNames() ?? [])
        destinations[name] = { status: 'pending', attempts: 0 };
      // The audit record first (a crash before the pending file exists is then reported, not lost), then the
      // identifiers, before any store is touched: a crash from here on resumes the erasure.
      await journal.put({
        id,
        requestedAt: requestedAt.toISOString(),
        requestedBy: request.requestedBy,
        ...(request.reason ? { reason: request.reason } : {}),
        identityKinds,
        stores: [],
        destinations,
        status: 'pending',
      });
      await journal.savePending(pending);
      const state = { pending, subject, storeAttempts: 0 };
      running.set(id, state);
      await runStores(journal, state);
      startDestinations(journal, id);
      // With no destination to wait for, the erasure is complete now, and the answer says so.
      await settle(journal, id);
      return structuredClone(journal.records.get(id)!);
    },
    async erasures(query = {}) {
      const journal = await ready;
      const all = [...journal.records.values()].reverse().filter((r) => !query.status || r.status === query.status);
      return structuredClone(all.slice(0, query.limit ?? all.length));
    },
    async consents(ref) {
      if (!options.consent) return [];
      return options.consent.consents(ref);
    },
    async consentsOfErasure(erasureId) {
      if (!options.consent) return [];
      return options.consent.ofErasure(erasureId);
    },
    async settled({ timeoutMs = 30_000 } = {}) {
      await ready;
      const deadline = now() + timeoutMs;
      while (running.size > 0) {
        const left = deadline - now();
        if (left <= 0) return false;
        await new Promise<void>((resolve) => {
          const wake = () => {
            waiters.delete(wake);
            clearTimeout(timer);
            resolve();
          };
          const timer = setTimeout(wake, Math.min(left, 250));
          waiters.add(wake);
        });
      }
      return true;
    },
    applyRetention,
    async close() {
      closed = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      if (retentionTimer) clearInterval(retentionTimer);
      // An attempt in flight finishes (bounded by the destination's timeout) and is journaled before the file closes.
      while (inFlight.size > 0) await Promise.all([...inFlight]);
      const journal = await ready.catch(() => undefined);
      await journal?.close();
    },
  };
}

/**
 * An erasure target for anything with a `forget(customerId)`: a recommender model, a survey store,
 * your own cache. `persist` runs once after forgetting (e.g. saving the model's JSON again, so
 * the file on disk no longer holds the customer).
 *
 * @example
 * forgetTarget('next-basket-model', (id) => model.forget(id), () => saveModel(model));
 */
export function forgetTarget(
  name: string,
  /** Returns how many records it removed (a number), or whether it knew the customer. */
  forget: (customerId: string) => unknown,
  persist?: () => unknown,
): ErasureTarget {
  if (typeof name !== 'string' || name === '') throw new TouchpointConfigError('forgetTarget.name', 'must be a name');
  if (typeof forget !== 'function') throw new TouchpointConfigError('forgetTarget.forget', 'must be a function');
  return {
    name,
    async erase(subject) {
      let erased = 0;
      for (const id of [...subject.userIds, ...subject.anonymousIds]) {
        const r = await forget(id);
        erased += typeof r === 'number' ? r : r === false ? 0 : 1;
      }
      await persist?.();
      return { erased };
    },
  };
}
