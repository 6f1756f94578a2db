/**
 * Where the closed-loop rule's alerts go in the demo: one JSON line per alert in the data folder
 * (the dashboard follows that file) and one readable line in the server log. A real shop would
 * post to the owning team's chat or ticket queue in the same `notify` function.
 */
import { appendFile, mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { FeedbackAlert } from '@touchpoint/node';
import type { AlertRecord } from './dashboard/aggregate.js';

/** The alert as the dashboard stores it: what was said, about what, by whom, after what. */
export function toAlertRecord(alert: FeedbackAlert, now: number): AlertRecord {
  const { event, feedback } = alert;
  return {
    at: new Date(now).toISOString(),
    messageId: event.messageId,
    customer: event.userId ?? event.anonymousId ?? '',
    ...(alert.owner !== undefined && { owner: alert.owner }),
    ...(feedback.touchpoint !== undefined && { touchpoint: feedback.touchpoint }),
    kind: feedback.kind,
    ...(feedback.score !== undefined && { score: feedback.score }),
    ...(feedback.comment !== undefined && { comment: feedback.comment }),
    recent: alert.recent.map((e) => (e.type === 'track' ? e.event : e.type)),
  };
}

/**
 * @example
 * feedbackAlert({ catalog: commerceTouchpoints, notify: createAlertFeed('data/alerts.jsonl', console.log) });
 */
export function createAlertFeed(path: string, log: (line: string) => void, now: () => number = Date.now) {
  let ready: Promise<unknown> | undefined;
  return async function notify(alert: FeedbackAlert): Promise<void> {
    const record = toAlertRecord(alert, now());
    log(
      `⚠ negative ${record.kind.toUpperCase()} ${record.score ?? ''} on ${record.touchpoint ?? 'no touchpoint'} → ${record.owner ?? 'unowned'}${record.comment ? `: “${record.comment}”` : ''}`,
    );
    ready ??= mkdir(dirname(path), { recursive: true });
    await ready;
    await appendFile(path, `${JSON.stringify(record)}\n`);
  };
}
