/**
 * Prompts from the ingest's answer are data from the network: only well-formed ones are shown
 * (a survey id, a known kind, a question with English text, options with ids and labels for a
 * choice). Anything else is ignored, never thrown.
 */
import type { SurveyPrompt } from './index.js';

const KINDS = ['nps', 'csat', 'ces', 'rating', 'single', 'multiple', 'text'];
const isText = (t: unknown): boolean =>
  typeof t === 'object' && t !== null && typeof (t as { en?: unknown }).en === 'string';

/**
 * @example
 * readPrompts(answer.prompts); // [] for anything malformed
 */
export function readPrompts(value: unknown): SurveyPrompt[] {
  if (!Array.isArray(value)) return [];
  return value.filter((p): p is SurveyPrompt => {
    if (typeof p !== 'object' || p === null) return false;
    const { survey, kind, question, options } = p as Partial<SurveyPrompt>;
    if (typeof survey !== 'string' || !KINDS.includes(kind as string) || !isText(question)) return false;
    if (kind !== 'single' && kind !== 'multiple') return true;
    return (
      Array.isArray(options) && options.length > 1 && options.every((o) => typeof o?.id === 'string' && isText(o.label))
    );
  });
}
