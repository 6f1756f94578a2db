/**
 * Feedback rules: which scores each kind allows and what counts as negative.
 *
 * Every consumer (widget, forwarder rules, upsell planner, dashboard) derives sentiment with
 * these functions, so "negative" means the same thing everywhere. Pure and dependency-free so
 * the browser can validate a score before queueing it.
 */
import type { FeedbackPayload } from './event.js';
import { type Issue, joinPath, type Result } from './result.js';

export const FEEDBACK_KINDS = ['nps', 'csat', 'ces', 'rating', 'thumbs', 'text'] as const;
export type FeedbackKind = (typeof FEEDBACK_KINDS)[number];

export type Sentiment = 'negative' | 'neutral' | 'positive';
export type NpsCategory = 'detractor' | 'passive' | 'promoter';

/** Longest accepted feedback comment, in characters. */
export const MAX_COMMENT_LENGTH = 4000;
/** Most tags on one piece of feedback. */
export const MAX_TAGS = 20;
const MAX_TAG_LENGTH = 64;

/**
 * Score ranges per kind. `ces` is CES 2.0: 1 = "strongly disagree it was easy", 7 = "strongly agree".
 * `rating` runs from 1 to its `scale` (2-10, default 5) in steps of 0.5.
 */
export const FEEDBACK_SCALES = {
  nps: { min: 0, max: 10 },
  csat: { min: 1, max: 5 },
  ces: { min: 1, max: 7 },
  thumbs: { min: 0, max: 1 },
} as const;

export const DEFAULT_RATING_SCALE = 5;

/** Feedback as a caller gives it to `tp.feedback()` or `forwarder.feedback()`. */
export interface FeedbackInput {
  kind: FeedbackKind;
  score?: number;
  scale?: number;
  comment?: string;
  touchpoint?: string;
  tags?: string[];
}

/** NPS category: 0-6 detractor, 7-8 passive, 9-10 promoter. */
export function npsCategory(score: number): NpsCategory {
  if (score <= 6) return 'detractor';
  if (score <= 8) return 'passive';
  return 'promoter';
}

/**
 * Sentiment of a validated piece of feedback:
 * - nps: detractor → negative, passive → neutral, promoter → positive
 * - csat: 1-2 negative, 3 neutral, 4-5 positive
 * - ces: 1-3 negative, 4 neutral, 5-7 positive
 * - rating: position on the scale below 40% negative, above 60% positive
 * - thumbs: down negative, up positive
 * - text: neutral (no score to judge by)
 */
export function feedbackSentiment(feedback: Pick<FeedbackInput, 'kind' | 'score' | 'scale'>): Sentiment {
  const score = feedback.score ?? 0;
  switch (feedback.kind) {
    case 'nps': {
      const c = npsCategory(score);
      return c === 'detractor' ? 'negative' : c === 'passive' ? 'neutral' : 'positive';
    }
    case 'csat':
      return score <= 2 ? 'negative' : score === 3 ? 'neutral' : 'positive';
    case 'ces':
      return score <= 3 ? 'negative' : score === 4 ? 'neutral' : 'positive';
    case 'rating': {
      const scale = feedback.scale ?? DEFAULT_RATING_SCALE;
      const position = (score - 1) / (scale - 1);
      return position < 0.4 ? 'negative' : position > 0.6 ? 'positive' : 'neutral';
    }
    case 'thumbs':
      return score >= 1 ? 'positive' : 'negative';
    default:
      return 'neutral';
  }
}

/** `true` when core counts this feedback as negative: the trigger for closed-loop follow-up. */
export function isNegativeFeedback(feedback: Pick<FeedbackInput, 'kind' | 'score' | 'scale'>): boolean {
  return feedbackSentiment(feedback) === 'negative';
}

function checkScore(f: FeedbackInput, path: string, issues: Issue[]): void {
  const at = joinPath(path, 'score');
  if (f.kind === 'text') {
    if (f.score !== undefined) issues.push({ path: at, message: 'text feedback carries no score' });
    return;
  }
  if (typeof f.score !== 'number' || !Number.isFinite(f.score)) {
    issues.push({ path: at, message: `${f.kind} feedback needs a numeric score` });
    return;
  }
  if (f.kind === 'rating') {
    const scale = f.scale ?? DEFAULT_RATING_SCALE;
    if (!Number.isInteger(scale) || scale < 2 || scale > 10) {
      issues.push({
        path: joinPath(path, 'scale'),
        message: `rating scale must be an integer from 2 to 10, got ${String(f.scale)}`,
      });
      return;
    }
    if (f.score < 1 || f.score > scale || !Number.isInteger(f.score * 2)) {
      issues.push({ path: at, message: `rating score must be 1 to ${scale} in steps of 0.5, got ${f.score}` });
    }
    return;
  }
  if (f.scale !== undefined)
    issues.push({ path: joinPath(path, 'scale'), message: `only rating feedback has a scale` });
  const { min, max } = FEEDBACK_SCALES[f.kind];
  if (!Number.isInteger(f.score) || f.score < min || f.score > max) {
    const allowed = f.kind === 'thumbs' ? '0 (down) or 1 (up)' : `an integer from ${min} to ${max}`;
    issues.push({ path: at, message: `${f.kind} score must be ${allowed}, got ${f.score}` });
  }
}

/**
 * Validates feedback and derives its sentiment (and NPS category). Never throws.
 *
 * @example
 * const r = validateFeedback({ kind: 'nps', score: 3, touchpoint: 'order.completed' });
 * if (r.ok) r.value.sentiment; // 'negative'
 */
export function validateFeedback(input: unknown, path = 'feedback'): Result<FeedbackPayload> {
  const issues: Issue[] = [];
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, issues: [{ path, message: 'feedback must be an object' }] };
  }
  const f = input as FeedbackInput;
  if (!(FEEDBACK_KINDS as readonly string[]).includes(f.kind)) {
    return {
      ok: false,
      issues: [
        {
          path: joinPath(path, 'kind'),
          message: `kind must be one of ${FEEDBACK_KINDS.join(', ')}, got ${JSON.stringify(f.kind) ?? 'undefined'}`,
        },
      ],
    };
  }
  checkScore(f, path, issues);
  if (f.comment !== undefined) {
    if (typeof f.comment !== 'string')
      issues.push({ path: joinPath(path, 'comment'), message: 'comment must be a string' });
    else if (f.comment.length > MAX_COMMENT_LENGTH) {
      issues.push({
        path: joinPath(path, 'comment'),
        message: `comment must be at most ${MAX_COMMENT_LENGTH} characters, got ${f.comment.length}`,
      });
    }
  }
  if (f.kind === 'text' && (typeof f.comment !== 'string' || f.comment.trim() === '')) {
    issues.push({ path: joinPath(path, 'comment'), message: 'text feedback needs a non-empty comment' });
  }
  if (
    f.touchpoint !== undefined &&
    (typeof f.touchpoint !== 'string' || f.touchpoint.length === 0 || f.touchpoint.length > 128)
  ) {
    issues.push({
      path: joinPath(path, 'touchpoint'),
      message: 'touchpoint must be a touchpoint name of 1-128 characters',
    });
  }
  if (f.tags !== undefined) {
    if (!Array.isArray(f.tags) || f.tags.length > MAX_TAGS) {
      issues.push({ path: joinPath(path, 'tags'), message: `tags must be an array of at most ${MAX_TAGS} strings` });
    } else {
      f.tags.forEach((tag, i) => {
        if (typeof tag !== 'string' || tag.length === 0 || tag.length > MAX_TAG_LENGTH) {
          issues.push({
            path: joinPath(joinPath(path, 'tags'), i),
            message: `tag must be a string of 1-${MAX_TAG_LENGTH} characters`,
          });
        }
      });
    }
  }
  if (issues.length > 0) return { ok: false, issues };

  const value: FeedbackPayload = { kind: f.kind };
  if (f.score !== undefined) value.score = f.score;
  if (f.kind === 'rating') value.scale = f.scale ?? DEFAULT_RATING_SCALE;
  if (f.comment !== undefined) value.comment = f.comment;
  if (f.touchpoint !== undefined) value.touchpoint = f.touchpoint;
  if (f.tags !== undefined) value.tags = [...f.tags];
  value.sentiment = feedbackSentiment(value);
  if (f.kind === 'nps') value.npsCategory = npsCategory(value.score!);
  return { ok: true, value };
}
