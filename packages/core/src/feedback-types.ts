/**
 * The shapes of feedback: the kinds, a caller's input, and the payload that travels in a
 * `feedback` event. Shared by the envelope (`event.ts`) and the rules (`feedback.ts`), so it
 * lives below both and neither imports the other. Both re-export what they used to define, so
 * every import path keeps working. Types plus the one list of kinds they are built from.
 */

export const FEEDBACK_KINDS = ['nps', 'csat', 'ces', 'rating', 'thumbs', 'text'] as const;
export type FeedbackKind = (typeof FEEDBACK_KINDS)[number];

export type Sentiment = 'negative' | 'neutral' | 'positive';
export type NpsCategory = 'detractor' | 'passive' | 'promoter';

/** Feedback as a caller gives it to `tp.feedback()` or `forwarder.feedback()`. */
export interface FeedbackInput {
  kind: FeedbackKind;
  /** Required for every kind but `text`. For `thumbs`: 1 = up, 0 = down. */
  score?: number;
  /** For `rating`: the number of stars (default 5). */
  scale?: number;
  comment?: string;
  /** Name of the touchpoint the feedback is about, e.g. `order.completed`. */
  touchpoint?: string;
  tags?: string[];
}

/** Feedback as it travels: the customer's answer plus what core derives from it. */
export interface FeedbackPayload extends FeedbackInput {
  /** Derived by core on servers (the ingest recomputes it and never trusts a client's); the browser does not send it. */
  sentiment?: Sentiment;
  /** Derived by core for `nps`. */
  npsCategory?: NpsCategory;
}
