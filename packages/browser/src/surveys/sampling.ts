/**
 * Sticky sampling in the page: core's `inSurveySample`, the very function `@touchpoint/node/surveys`
 * runs, so a customer is in or out of a survey's sample on the server, in every tab and on every
 * device that knows their userId. Only the surveys chunk imports it: the first load never does.
 */
export { inSurveySample, surveyHash } from '@touchpoint/core';
