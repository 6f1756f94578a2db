/**
 * Decides who is asked what, and when: `createSurveys(config)` applies sticky sampling, one cap
 * across every survey (one survey per customer per `capDays`), the payment-step rule and the
 * open-case rule, and turns server events (order delivered, case resolved, refund issued) into a
 * prompt shown on the customer's next page view.
 *
 * Server-triggered prompts ride on an answer the browser already receives: the ingest's 200
 * answer to the batch that carries the customer's next page view (`createIngestHandler({ prompts:
 * surveys.prompts })`). No polling, no extra request, no socket — and a customer who never comes
 * back costs nothing. A prompt is counted as shown when it is delivered, so the cap holds even if
 * the page defers it (an offer on screen).
 */
import {
  type Clock,
  type JsonObject,
  systemClock,
  TouchpointConfigError,
  type TouchpointEvent,
} from '@touchpoint/core';
import {
  inAudience,
  type SurveyCatalog,
  type SurveyDefinition,
  type SurveyDefinitions,
  type SurveyId,
} from './definitions.js';
import { inSurveySample } from './sampling.js';
import { createMemorySurveyStore, type PendingSurvey, type SurveyStore } from './survey-store.js';

/** A survey as the browser receives it: its definition (less the trigger) and its id. */
export type SurveyPrompt = Omit<SurveyDefinition, 'trigger'> & { survey: string; properties?: JsonObject };

export type SurveySkipReason = 'unknown_survey' | 'not_sampled' | 'capped' | 'open_case';
export type SurveyCheck = { ok: true } | { ok: false; reason: SurveySkipReason };

export interface SurveysOptions<C extends SurveyDefinitions> {
  /** From `defineSurveys`. */
  surveys: C;
  /** One survey per customer per this many days, across all surveys (default 30; 0 turns the cap off). */
  capDays?: number;
  /**
   * `true` when the customer has an open case on `topic`; such a customer is not asked a survey
   * with that `topic` unless the survey is `aboutCase`. Pass your case book's lookup, e.g.
   * `(customer, topic) => caseBook.hasOpenCase(customer, topic)`. When it throws, the survey is
   * held back (asking during an open complaint is the worse mistake) and `onError` is told.
   */
  hasOpenCase?: (customer: string, topic: string) => boolean | Promise<boolean>;
  /** Whether a page path is the payment step (default: a path segment `payment` or `pay`). */
  isPaymentStep?: (path: string) => boolean;
  /** Where caps and pending prompts are kept (default in memory, one process). */
  store?: SurveyStore;
  /** A queued prompt not delivered within this many days is dropped (default 7). */
  pendingDays?: number;
  onError?: (error: { source: string; message: string; error?: unknown }) => void;
  clock?: Pick<Clock, 'now'>;
}

export type TriggerOutcome =
  | { survey: string; status: 'queued' }
  | { survey: string; status: 'skipped'; reason: SurveySkipReason };

export interface Surveys<C extends SurveyDefinitions> {
  readonly definitions: C;
  /** Whether `customer` may be asked `survey` now (sample, cap, open case). Records nothing. */
  check(survey: SurveyId<C>, customer: string): Promise<SurveyCheck>;
  /** A server event happened: queues every survey it triggers for the customer's next page view. */
  trigger(input: { event: string; userId: string; properties?: JsonObject }): Promise<TriggerOutcome[]>;
  /**
   * For the ingest's `prompts` option: takes the events it accepted, notes `survey.shown`
   * touchpoints (browser-triggered surveys count against the cap too) and returns the prompts
   * due for the customers whose page view arrived — at most one per answer.
   */
  prompts(accepted: readonly TouchpointEvent[]): Promise<SurveyPrompt[]>;
  /** Counts a survey shown elsewhere (a link sent by SMS, a call) against the cap. */
  recordShown(survey: SurveyId<C>, customer: string): Promise<void>;
}

const DAY_MS = 86_400_000;
const PAYMENT_RE = /(^|\/)(payment|pay)(\/|$)/i;

/**
 * @example
 * const surveys = createSurveys({ surveys: shopSurveys, capDays: 30, hasOpenCase: (c, topic) => cases.hasOpenCase(c, topic) });
 * await surveys.trigger({ event: 'order.delivered', userId: 'cust-7', properties: { orderId: 'o-1' } });
 * createIngestHandler({ forwarder, writeKeys, prompts: surveys.prompts }); // shown on the next page view
 */
export function createSurveys<const C extends SurveyDefinitions>(options: SurveysOptions<C>): Surveys<C> {
  const definitions = options?.surveys as SurveyCatalog<C>;
  if (typeof definitions !== 'object' || definitions === null) {
    throw new TouchpointConfigError('surveys', 'must be the object returned by defineSurveys()');
  }
  const capDays = options.capDays ?? 30;
  if (!(typeof capDays === 'number' && capDays >= 0)) {
    throw new TouchpointConfigError('capDays', `must be a number of days >= 0, got ${String(capDays)}`);
  }
  if (options.hasOpenCase !== undefined && typeof options.hasOpenCase !== 'function') {
    throw new TouchpointConfigError(
      'hasOpenCase',
      'must be a function (customer, topic) => boolean | Promise<boolean>',
    );
  }
  const store = options.store ?? createMemorySurveyStore();
  const clock = options.clock ?? systemClock;
  const isPaymentStep = options.isPaymentStep ?? ((path: string) => PAYMENT_RE.test(path));
  const pendingMs = (options.pendingDays ?? 7) * DAY_MS;
  const onError = options.onError ?? ((e) => console.warn(`[touchpoint] surveys ${e.source}: ${e.message}`));
  const byServerEvent = new Map<string, string[]>();
  for (const id of Object.keys(definitions)) {
    const trigger = definitions[id]!.trigger;
    if ('serverEvent' in trigger)
      byServerEvent.set(trigger.serverEvent, [...(byServerEvent.get(trigger.serverEvent) ?? []), id]);
  }

  async function check(survey: string, customer: string, sampled = false): Promise<SurveyCheck> {
    const def = Object.hasOwn(definitions, survey) ? definitions[survey] : undefined;
    if (!def) return { ok: false, reason: 'unknown_survey' };
    if (!sampled && !inSurveySample(survey, customer, def.sample ?? 1)) return { ok: false, reason: 'not_sampled' };
    if (capDays > 0) {
      const last = await store.lastShown(customer);
      if (last !== undefined && clock.now() - last < capDays * DAY_MS) return { ok: false, reason: 'capped' };
    }
    if (def.topic && !def.aboutCase && options.hasOpenCase) {
      try {
        if (await options.hasOpenCase(customer, def.topic)) return { ok: false, reason: 'open_case' };
      } catch (error) {
        onError({
          source: 'hasOpenCase',
          message: `hasOpenCase threw; holding the survey back: ${String(error)}`,
          error,
        });
        return { ok: false, reason: 'open_case' };
      }
    }
    return { ok: true };
  }

  function toPrompt(pending: PendingSurvey): SurveyPrompt {
    const { trigger: _trigger, ...rest } = definitions[pending.survey]!;
    return { survey: pending.survey, ...rest, ...(pending.properties ? { properties: pending.properties } : {}) };
  }

  return {
    definitions,
    check: (survey, customer) => check(survey, customer),
    async trigger({ event, userId, properties }) {
      const out: TriggerOutcome[] = [];
      for (const survey of byServerEvent.get(event) ?? []) {
        const verdict = await check(survey, userId);
        if (!verdict.ok) {
          out.push({ survey, status: 'skipped', reason: verdict.reason });
          continue;
        }
        await store.addPending(userId, { survey, at: clock.now(), ...(properties ? { properties } : {}) });
        out.push({ survey, status: 'queued' });
      }
      return out;
    },
    async prompts(accepted) {
      // customer → their latest page view: its path, whether they are signed in, their locale
      const visits = new Map<string, { path: string; identified: boolean; locale?: string }>();
      for (const event of accepted) {
        const customer = event.userId ?? event.anonymousId;
        if (customer === undefined) continue;
        if (event.type === 'track' && event.event === 'survey.shown') {
          const survey = event.properties?.survey;
          if (typeof survey === 'string') await store.markShown(customer, survey, clock.now());
        } else if (event.type === 'page') {
          visits.set(customer, {
            path: event.context?.page?.path ?? '/',
            identified: event.userId !== undefined,
            ...(event.context?.locale ? { locale: event.context.locale } : {}),
          });
        }
      }
      const out: SurveyPrompt[] = [];
      for (const [customer, visit] of visits) {
        const keep: PendingSurvey[] = [];
        for (const pending of await store.takePending(customer)) {
          if (clock.now() - pending.at > pendingMs || !Object.hasOwn(definitions, pending.survey)) continue;
          const def = definitions[pending.survey]!;
          // Not now (one per answer; the payment step; not signed in on this device yet): later.
          if (
            out.length > 0 ||
            (isPaymentStep(visit.path) && !def.paymentStep) ||
            (def.audience?.identified && !visit.identified)
          ) {
            keep.push(pending);
            continue;
          }
          // Sampled when queued; the cap and open cases may have changed since. Another language: never.
          if (!inAudience(def, visit) || !(await check(pending.survey, customer, true)).ok) continue;
          await store.markShown(customer, pending.survey, clock.now());
          out.push(toPrompt(pending));
        }
        for (const pending of keep) await store.addPending(customer, pending);
      }
      return out;
    },
    async recordShown(survey, customer) {
      await store.markShown(customer, survey, clock.now());
    },
  };
}
