/**
 * The answer page behind signed survey links, as a Fetch handler `(Request) => Response` (bring it
 * to node:http with `toNodeHandler`). GET shows the survey; POST records the answer as a feedback
 * event for the customer (and case) the link names, through the forwarder.
 *
 * Guarantees: a tampered link (400), an expired one (410) or one already answered (409) gets a
 * page that says so and records nothing; a link counts as used only when its answer was accepted
 * by the forwarder (a refused write gives the claim back and answers 503).
 */
import { type Clock, systemClock, TouchpointConfigError } from '@touchpoint/core';
import type { ServerFeedback } from '../forwarder.js';
import { readBodyLimited } from '../read-body.js';
import { ANSWER_PAGE_CSP, formPage, messagePage, type PageMessage, pickLocale } from './answer-page.js';
import type { SurveyDefinitions } from './definitions.js';
import { surveyAnswerToFeedback } from './survey-answer.js';
import { checkSecret, createMemoryUsedLinkStore, type UsedLinkStore, verifySurveyToken } from './survey-links.js';

export interface SurveyAnswerHandlerOptions {
  /** From `defineSurveys`. */
  surveys: SurveyDefinitions;
  /** The secret the links were signed with. */
  secret: string;
  /** Where answers go: the forwarder (its `feedback` method). */
  forwarder: { feedback(input: ServerFeedback): boolean };
  /** Which links were answered. Default: in memory (one process); use a shared, durable one in production. */
  usedLinks?: UsedLinkStore;
  /** Language when neither `?lang=` nor Accept-Language says (default `en`). */
  locale?: string;
  /** Called after an answer is recorded, e.g. to count it against the survey cap. */
  onAnswer?: (answer: { survey: string; userId: string; caseId?: string }) => void | Promise<void>;
  onError?: (error: { source: string; message: string; error?: unknown }) => void;
  clock?: Pick<Clock, 'now'>;
}

export type SurveyAnswerHandler = (request: Request) => Promise<Response>;

const STATUS: Record<PageMessage, number> = { thanks: 200, invalid: 400, expired: 410, used: 409, retry: 503 };

function html(status: number, body: string): Response {
  return new Response(body, {
    status,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': ANSWER_PAGE_CSP,
      'cache-control': 'no-store',
      // The token is in the address: never pass it on to another site.
      'referrer-policy': 'no-referrer',
      'x-content-type-options': 'nosniff',
    },
  });
}

/**
 * @example
 * const answers = createSurveyAnswerHandler({ surveys: shopSurveys, secret: process.env.SURVEY_SECRET!, forwarder });
 * http.createServer(toNodeHandler(answers)).listen(8080); // or route /s to it
 */
export function createSurveyAnswerHandler(options: SurveyAnswerHandlerOptions): SurveyAnswerHandler {
  checkSecret(options?.secret);
  if (typeof options.surveys !== 'object' || options.surveys === null) {
    throw new TouchpointConfigError('surveys', 'must be the object returned by defineSurveys()');
  }
  if (typeof options.forwarder?.feedback !== 'function') {
    throw new TouchpointConfigError(
      'forwarder',
      'must be a forwarder from createForwarder() (or anything with feedback())',
    );
  }
  const clock = options.clock ?? systemClock;
  const used = options.usedLinks ?? createMemoryUsedLinkStore({ now: () => clock.now() });
  const onError = options.onError ?? ((e) => console.warn(`[touchpoint] survey answers ${e.source}: ${e.message}`));

  return async function handle(request) {
    const locale = pickLocale(request, options.locale);
    const message = (m: PageMessage) => html(STATUS[m], messagePage(locale, m));
    if (request.method !== 'GET' && request.method !== 'POST') {
      return new Response('use GET or POST', { status: 405, headers: { allow: 'GET, POST' } });
    }
    const check = verifySurveyToken(new URL(request.url).searchParams.get('t'), options.secret, clock.now());
    if (!check.ok) return message(check.reason);
    const { claims } = check;
    const def = Object.hasOwn(options.surveys, claims.survey) ? options.surveys[claims.survey] : undefined;
    if (!def) return message('invalid');
    if (request.method === 'GET') return html(200, formPage(locale, def));

    const body = await readBodyLimited(request, 16_384);
    if (!body.ok) return html(400, formPage(locale, def, body.message));
    const form = new URLSearchParams(body.text);
    const score = form.get('score');
    const answer = surveyAnswerToFeedback(claims.survey, def, {
      ...(score !== null && score !== '' ? { score: Number(score) } : {}),
      choices: form.getAll('choice'),
      comment: form.get('comment') ?? '',
    });
    if (!answer.ok) return html(422, formPage(locale, def, answer.message));

    let first: boolean;
    try {
      first = await used.claim(claims.linkId, claims.expiresAt);
    } catch (error) {
      onError({ source: 'usedLinks', message: `usedLinks.claim failed: ${String(error)}`, error });
      return message('retry');
    }
    if (!first) return message('used');
    const accepted = options.forwarder.feedback({
      userId: claims.userId,
      feedback: answer.feedback,
      properties: { ...answer.properties, ...(claims.caseId ? { caseId: claims.caseId } : {}) },
      context: { channel: claims.channel ?? 'link', locale },
    });
    if (!accepted) {
      await used.release?.(claims.linkId).catch(() => {});
      onError({
        source: 'forwarder',
        message: 'the forwarder refused the answer (backpressure); the link stays usable',
      });
      return message('retry');
    }
    try {
      await options.onAnswer?.({
        survey: claims.survey,
        userId: claims.userId,
        ...(claims.caseId ? { caseId: claims.caseId } : {}),
      });
    } catch (error) {
      onError({ source: 'onAnswer', message: `onAnswer threw: ${String(error)}`, error });
    }
    return message('thanks');
  };
}
