/**
 * Sticky sampling: whether a customer is in a survey's sample is a pure function of the survey id
 * and the customer's id (see core's `sampling.ts`), shared with the page's surveys.
 */
export { inSurveySample, surveyHash } from '@touchpoint/core';
