/**
 * `@touchpoint/node/surveys` — the right question at the right moment, on every channel: surveys
 * defined in code, sticky sampling, one cap across surveys, no survey during an open case,
 * server-triggered prompts delivered on the ingest's answer, signed links with an answer page for
 * SMS/email/chat, and a ranking of what to fix first.
 */

export {
  createSurveyAnswerHandler,
  type SurveyAnswerHandler,
  type SurveyAnswerHandlerOptions,
} from './answer-handler.js';
export {
  defineSurveys,
  inAudience,
  type LocalizedText,
  localize,
  SURVEY_KINDS,
  type SurveyAudience,
  type SurveyCatalog,
  type SurveyDefinition,
  type SurveyDefinitions,
  type SurveyId,
  type SurveyKind,
  type SurveyOption,
  type SurveyTrigger,
  surveyAbout,
} from './definitions.js';
export { createFileUsedLinkStore, type FileUsedLinkStore } from './file-used-links.js';
export { type FixFirstOptions, type FixFirstRow, rankWhatToFixFirst, wilsonInterval } from './fix-first.js';
export { inSurveySample, surveyHash } from './sampling.js';
export { type AnswerResult, type SurveyAnswer, surveyAnswerToFeedback } from './survey-answer.js';
export {
  createMemoryUsedLinkStore,
  createSurveyLink,
  type SurveyLinkCheck,
  type SurveyLinkClaims,
  type SurveyLinkOptions,
  type UsedLinkStore,
  verifySurveyToken,
} from './survey-links.js';
export {
  createSurveys,
  type SurveyCheck,
  type SurveyPrompt,
  type SurveySkipReason,
  type Surveys,
  type SurveysOptions,
  type TriggerOutcome,
} from './survey-planner.js';
export { createMemorySurveyStore, type PendingSurvey, type SurveyStore } from './survey-store.js';
