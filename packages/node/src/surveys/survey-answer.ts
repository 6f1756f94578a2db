/**
 * One answer to one survey, turned into the feedback core records: scored kinds keep their kind
 * and score; a choice among reasons becomes `text` feedback whose `tags` are the chosen option
 * ids (what a team counts) and whose comment is the customer's words, or else the chosen labels.
 * Checked here with core's `checkFeedback`, so a bad answer is refused before anything is recorded.
 */
import { checkFeedback, FEEDBACK_SCALES, type FeedbackInput, type JsonObject } from '@touchpoint/core';
import { type SurveyDefinition, surveyAbout } from './definitions.js';

/** What the customer gave: a score, chosen option ids, words. */
export interface SurveyAnswer {
  score?: number;
  choices?: string[];
  comment?: string;
}

export type AnswerResult =
  | { ok: true; feedback: FeedbackInput; properties: JsonObject }
  | { ok: false; message: string };

/** The `[min, max]` score range of a scored survey. */
export function surveyScale(def: Pick<SurveyDefinition, 'kind' | 'scale'>): [number, number] | undefined {
  if (def.kind === 'rating') return [1, def.scale ?? 5];
  const range = FEEDBACK_SCALES[def.kind as keyof typeof FEEDBACK_SCALES];
  return range ? [range[0], range[1]] : undefined;
}

/**
 * @example
 * surveyAnswerToFeedback('why-cart', whyCart, { choices: ['too_expensive'] });
 * // { ok: true, feedback: { kind: 'text', comment: 'Too expensive', tags: ['too_expensive'], touchpoint: 'cart.abandoned' }, … }
 */
export function surveyAnswerToFeedback(surveyId: string, def: SurveyDefinition, answer: SurveyAnswer): AnswerResult {
  const comment = answer.comment?.trim() || undefined;
  const properties: JsonObject = { survey: surveyId, ...(def.followUp ? { followUp: true } : {}) };
  let feedback: FeedbackInput;
  if (def.kind === 'single' || def.kind === 'multiple') {
    const chosen = [...new Set(answer.choices ?? [])];
    const options = def.options ?? [];
    const labels = chosen.map((id) => options.find((o) => o.id === id)?.label.en);
    if (chosen.length === 0) return { ok: false, message: 'choose an answer' };
    if (def.kind === 'single' && chosen.length > 1) return { ok: false, message: 'choose one answer' };
    if (labels.some((l) => l === undefined)) return { ok: false, message: 'unknown answer' };
    feedback = { kind: 'text', comment: comment ?? labels.join('; '), tags: chosen };
  } else if (def.kind === 'text') {
    if (!comment) return { ok: false, message: 'write an answer' };
    feedback = { kind: 'text', comment };
  } else {
    feedback = {
      kind: def.kind,
      score: answer.score as number,
      ...(def.kind === 'rating' ? { scale: def.scale ?? 5 } : {}),
      ...(comment && def.comment !== false ? { comment } : {}),
    };
  }
  feedback.touchpoint = surveyAbout(def);
  const checked = checkFeedback(feedback);
  if (!checked.ok) return { ok: false, message: checked.issues.map((i) => i.message).join('; ') };
  return { ok: true, feedback: checked.value, properties };
}
