/**
 * The demo's surveys (`@touchpoint/node/surveys`): an after-order CSAT triggered by a server event
 * (the order "delivered" a little after it was placed) and shown on the shopper's next page view,
 * and an after-case CSAT sent as a signed link (as an SMS would carry it) when a support contact
 * opens a case, answered on the `/s` page. The storefront adds its own browser-triggered "why?"
 * on a removed cart item and the feedback tab (examples/storefront/src/surveys.ts).
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { ServerFeedback } from '@touchpoint/node';
import {
  createFileUsedLinkStore,
  createSurveyAnswerHandler,
  createSurveyLink,
  createSurveys,
  defineSurveys,
  type SurveyAnswerHandler,
  type Surveys,
} from '@touchpoint/node/surveys';

export const demoSurveys = defineSurveys({
  'after-order': {
    kind: 'csat',
    question: { en: 'How satisfied are you with your delivery?', vi: 'Bạn hài lòng với việc giao hàng thế nào?' },
    trigger: { serverEvent: 'order.delivered' },
    topic: 'delivery',
  },
  'after-case': {
    kind: 'csat',
    question: {
      en: 'How satisfied are you with how we handled your request?',
      vi: 'Bạn hài lòng với cách chúng tôi xử lý yêu cầu của bạn thế nào?',
    },
    trigger: { serverEvent: 'case.resolved' },
    aboutCase: true,
  },
});

/** The part of a forwarder rule the demo needs (structurally `Rule` from `@touchpoint/node`). */
interface EventRule {
  name: string;
  onEvent(event: { type: string; event?: string; userId?: string; anonymousId?: string; properties?: object }): void;
}

export interface DemoSurveys {
  surveys: Surveys<typeof demoSurveys>;
  /** A forwarder rule: order placed → "delivered" after `deliveryDelayMs`; support contact → a link. */
  rule: EventRule;
  /** The answer page for survey links (mount at `/s`). */
  answers: SurveyAnswerHandler;
  close(): void;
}

/**
 * @example
 * const demo = createDemoSurveys({ baseUrl: 'http://127.0.0.1:4000/s', forwarder, log: console.log });
 * createForwarder({ rules: [demo.rule] }); createIngestHandler({ …, prompts: demo.surveys.prompts });
 */
export function createDemoSurveys(options: {
  baseUrl: () => string;
  forwarder: { feedback(input: ServerFeedback): boolean };
  log: (line: string) => void;
  /** Where answered links are remembered (`used-survey-links`); default: in memory. */
  dataDir?: string;
  /** How long after an order it is "delivered" (default 20 s). */
  deliveryDelayMs?: number;
}): DemoSurveys {
  // A fresh secret per run: links from an earlier run of the demo say "not valid".
  const secret = randomBytes(32).toString('hex');
  // A demo asks every time; a shop keeps the 30-day cap.
  const surveys = createSurveys({ surveys: demoSurveys, capDays: 0 });
  const timers = new Set<ReturnType<typeof setTimeout>>();
  const later = (ms: number, fn: () => Promise<void>) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      fn().catch((error) => options.log(`surveys: ${String(error)}`));
    }, ms);
    timer.unref?.();
    timers.add(timer);
  };
  const props = (p: object | undefined) => (p ?? {}) as Record<string, unknown>;
  return {
    surveys,
    answers: createSurveyAnswerHandler({
      surveys: demoSurveys,
      secret,
      forwarder: options.forwarder,
      ...(options.dataDir
        ? { usedLinks: createFileUsedLinkStore({ path: join(options.dataDir, 'used-survey-links') }) }
        : {}),
    }),
    rule: {
      name: 'demo-surveys',
      onEvent(event) {
        if (event.type !== 'track') return;
        const customer = event.userId ?? event.anonymousId;
        if (!customer) return;
        if (event.event === 'order.completed') {
          const orderId = props(event.properties).orderId;
          later(options.deliveryDelayMs ?? 20_000, async () => {
            const [outcome] = await surveys.trigger({
              event: 'order.delivered',
              userId: customer,
              ...(typeof orderId === 'string' ? { properties: { orderId } } : {}),
            });
            options.log(`surveys: order ${String(orderId)} delivered → after-order CSAT ${outcome?.status ?? 'none'}`);
          });
        } else if (event.event === 'support.contacted') {
          const caseId = props(event.properties).caseId;
          later(options.deliveryDelayMs ?? 20_000, async () => {
            const url = createSurveyLink({
              baseUrl: options.baseUrl(),
              secret,
              survey: 'after-case',
              identity: { userId: customer },
              ...(typeof caseId === 'string' ? { caseId } : {}),
              channel: 'sms',
              expiresIn: 7 * 86_400,
            });
            options.log(`surveys: case ${String(caseId)} resolved → SMS "How did we handle your request? ${url}"`);
          });
        }
      },
    },
    close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
    },
  };
}
