/**
 * Sticky sampling: whether a customer is in a survey's sample is a pure function of the survey id
 * and the customer's id, so the same customer gets the same answer on every page view, reload and
 * device that knows their `userId` — unlike a draw at every display, which slowly asks everyone.
 *
 * The hash is 32-bit FNV-1a over the UTF-16 code units of `surveyId + "\n" + customerId`, then
 * murmur3's finaliser (FNV alone leaves ids that differ in their last character close together).
 * It lives in core so the page (`@touchpoint/browser/surveys`) and the server
 * (`@touchpoint/node/surveys`) run the very same function.
 */

/** FNV-1a (32 bit) of a string with murmur3's finaliser, as an unsigned integer. */
export function surveyHash(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  hash = Math.imul(hash ^ (hash >>> 16), 0x85ebca6b);
  hash = Math.imul(hash ^ (hash >>> 13), 0xc2b2ae35);
  return (hash ^ (hash >>> 16)) >>> 0;
}

/**
 * `true` when `customerId` is in the sample of `surveyId` at `rate` (0-1). Raising the rate only
 * adds customers; nobody who was in drops out.
 *
 * @example
 * inSurveySample('after-order', 'cust-7', 0.2); // the same answer every time, on every device
 */
export function inSurveySample(surveyId: string, customerId: string, rate = 1): boolean {
  if (rate >= 1) return true;
  if (rate <= 0) return false;
  return surveyHash(`${surveyId}\n${customerId}`) / 0x1_0000_0000 < rate;
}
