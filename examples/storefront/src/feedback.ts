/**
 * The feedback moments: NPS right after an order, CSAT after contacting support. The widget is
 * loaded on demand (`import()`), so pages that never ask pay nothing for it. A negative answer is
 * recorded like any other; `connectUpsell` sees it and offers the recovery gesture, and the server's
 * `feedbackAlert` rule alerts the owning team.
 */
import type { FeedbackRecorder } from '@touchpoint/browser/widget';

/**
 * @example
 * askAboutOrder(tp, 'A-123456');
 */
export function askAboutOrder(tp: FeedbackRecorder, orderId: string): void {
  void import('@touchpoint/browser/widget').then(({ showFeedbackPrompt }) =>
    showFeedbackPrompt(tp, {
      kind: 'nps',
      touchpoint: 'order.completed',
      question: 'How likely are you to recommend Corner Grocer to a friend?',
      delayMs: 1500,
      // A demo asks after every order; a shop keeps the 90-day default.
      askAgainAfterDays: 0,
      strings: { low: 'Not likely', high: 'Very likely' },
    }).result.then((outcome) => {
      if (outcome.status === 'answered') console.info(`[shop] NPS ${outcome.score} recorded for ${orderId}`);
    }),
  );
}

/** CSAT for the support contact, a moment after the message is sent. */
export function askAboutSupport(tp: FeedbackRecorder): void {
  void import('@touchpoint/browser/widget').then(({ showFeedbackPrompt }) =>
    showFeedbackPrompt(tp, {
      kind: 'csat',
      touchpoint: 'support.contacted',
      question: 'How satisfied are you with how easy it was to reach us?',
      delayMs: 1000,
      askAgainAfterDays: 0,
    }),
  );
}
