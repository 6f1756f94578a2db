/**
 * Feedback rules: which scores each kind allows and what counts as negative.
 *
 * Every consumer (widget, forwarder rules, upsell planner, dashboard) derives sentiment with
 * these functions, so "negative" means the same thing everywhere. Pure and dependency-free so
 * the browser can validate a score before queueing it.
 */
import {
  FEEDBACK_KINDS,
  type FeedbackInput,
  type FeedbackPayload,
  type NpsCategory,
  type Sentiment,
} from './feedback-types.js';
import { type Issue, joinPath, type Result } from './result.js';

export {
  FEEDBACK_KINDS,
  type FeedbackInput,
  type FeedbackKind,
  type NpsCategory,
  type Sentiment,
} from './feedback-types.js';

/** Longest accepted feedback comment, in characters. */
export const MAX_COMMENT_LENGTH = 4000;
/** Most tags on one piece of feedback. */
export const MAX_TAGS = 20;
const MAX_TAG_LENGTH = 64;

/**
 * Score ranges per kind as `[min, max]`. `ces` is CES 2.0: 1 = "strongly disagree it was easy", 7 = "strongly agree".
 * `rating` runs from 1 to its `scale` (2-10, default 5) in steps of 0.5.
 */
export const FEEDBACK_SCALES = {
  nps: [0, 10],
  csat: [1, 5],
  ces: [1, 7],
  thumbs: [0, 1],
} as const satisfies Record<string, readonly [min: number, max: number]>;

export const DEFAULT_RATING_SCALE = 5;

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
  const { kind, score = 0 } = feedback;
  if (kind === 'rating') {
    const position = (score - 1) / ((feedback.scale ?? DEFAULT_RATING_SCALE) - 1);
    return position < 0.4 ? 'negative' : position > 0.6 ? 'positive' : 'neutral';
  }
  const bounds = SENTIMENT_BOUNDS[kind as keyof typeof SENTIMENT_BOUNDS];
  if (!bounds) return 'neutral';
  return score <= bounds[0] ? 'negative' : score <= bounds[1] ? 'neutral' : 'positive';
}

/** Highest negative and highest neutral score per kind (thumbs has no neutral). */
const SENTIMENT_BOUNDS = { nps: [6, 8], csat: [2, 3], ces: [3, 4], thumbs: [0, 0] } as const;

/** `true` when core counts this feedback as negative: the trigger for closed-loop follow-up. */
export function isNegativeFeedback(feedback: Pick<FeedbackInput, 'kind' | 'score' | 'scale'>): boolean {
  return feedbackSentiment(feedback) === 'negative';
}

/**
 * The first problem with a feedback's score, as a message, or `undefined` when it is fine.
 * Written compactly on purpose: this runs in the browser tracker's first load.
 */
function scoreProblem(f: FeedbackInput): [field: 'score' | 'scale', message: string] | undefined {
  const { kind, score, scale } = f;
  if (kind === 'text') return score === undefined ? undefined : ['score', 'text feedback carries no score'];
  if (typeof score !== 'number' || !Number.isFinite(score)) return ['score', `${kind} feedback needs a numeric score`];
  if (kind === 'rating') {
    const max = scale ?? DEFAULT_RATING_SCALE;
    if (!Number.isInteger(max) || max < 2 || max > 10) {
      return ['scale', `rating scale must be an integer from 2 to 10, got ${String(scale)}`];
    }
    return score < 1 || score > max || !Number.isInteger(score * 2)
      ? ['score', `rating score must be 1 to ${max} in steps of 0.5, got ${score}`]
      : undefined;
  }
  if (scale !== undefined) return ['scale', 'only rating feedback has a scale'];
  const [min, max] = FEEDBACK_SCALES[kind];
  if (Number.isInteger(score) && score >= min && score <= max) return undefined;
  return [
    'score',
    `${kind} score must be ${kind === 'thumbs' ? '0 (down) or 1 (up)' : `an integer from ${min} to ${max}`}, got ${score}`,
  ];
}

/**
 * Validates feedback and returns a clean copy of its fields, without deriving anything. The
 * browser tracker uses this to keep its first load small; servers (and `validateFeedback`)
 * derive sentiment themselves and never trust a client's. Never throws.
 *
 * @example
 * checkFeedback({ kind: 'csat', score: 9 }); // { ok: false, issues: [{ path: 'feedback.score', … }] }
 */
export function checkFeedback(input: unknown, path = 'feedback'): Result<FeedbackInput> {
  const issues: Issue[] = [];
  const fail = (field: string, message: string) => issues.push({ path: joinPath(path, field), message });
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, issues: [{ path, message: 'feedback must be an object' }] };
  }
  const f = input as FeedbackInput;
  if (!(FEEDBACK_KINDS as readonly string[]).includes(f.kind)) {
    fail('kind', `kind must be one of ${FEEDBACK_KINDS.join(', ')}, got ${JSON.stringify(f.kind) ?? 'undefined'}`);
    return { ok: false, issues };
  }
  const problem = scoreProblem(f);
  if (problem) fail(problem[0], problem[1]);
  const { kind, score, comment, touchpoint, tags } = f;
  if (comment !== undefined && (typeof comment !== 'string' || comment.length > MAX_COMMENT_LENGTH)) {
    fail('comment', `must be a string of at most ${MAX_COMMENT_LENGTH} characters`);
  } else if (kind === 'text' && !comment?.trim()) fail('comment', 'text feedback needs a comment');
  if (
    touchpoint !== undefined &&
    !(typeof touchpoint === 'string' && touchpoint.length > 0 && touchpoint.length <= 128)
  ) {
    fail('touchpoint', 'must be a touchpoint name of 1-128 characters');
  }
  if (tags !== undefined) {
    if (!Array.isArray(tags) || tags.length > MAX_TAGS) fail('tags', `must be an array of at most ${MAX_TAGS} strings`);
    else {
      for (let i = 0; i < tags.length; i++) {
        const tag = tags[i];
        if (typeof tag !== 'string' || tag.length === 0 || tag.length > MAX_TAG_LENGTH) {
          fail(`tags[${i}]`, `must be a string of 1-${MAX_TAG_LENGTH} characters`);
        }
      }
    }
  }
  if (issues.length > 0) return { ok: false, issues };
  const value: FeedbackInput = { kind };
  if (score !== undefined) value.score = score;
  if (kind === 'rating') value.scale = f.scale ?? DEFAULT_RATING_SCALE;
  if (comment !== undefined) value.comment = comment;
  if (touchpoint !== undefined) value.touchpoint = touchpoint;
  if (tags !== undefined) value.tags = [...tags];
  return { ok: true, value };
}

/**
 * Validates feedback and derives its sentiment (and NPS category). Never throws.
 *
 * @example
 * const r = validateFeedback({ kind: 'nps', score: 3, touchpoint: 'order.completed' });
 * if (r.ok) r.value.sentiment; // 'negative'
 */
export function validateFeedback(input: unknown, path = 'feedback'): Result<FeedbackPayload> {
  const checked = checkFeedback(input, path);
  if (!checked.ok) return checked;
  const value: FeedbackPayload = checked.value;
  value.sentiment = feedbackSentiment(value);
  if (value.kind === 'nps') value.npsCategory = npsCategory(value.score!);
  return { ok: true, value };
}
