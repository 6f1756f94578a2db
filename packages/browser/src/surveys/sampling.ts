/**
 * Sticky sampling in the page: the same function as `@touchpoint/node/surveys`' `inSurveySample`
 * (FNV-1a over `surveyId + "\n" + customerId`, murmur3's finaliser), so a customer is in or out
 * of a survey's sample on the server, in every tab and on every device that knows their userId.
 * A deliberate copy (node code stays out of the page); both tests assert the same vectors.
 */
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

/** `true` when `customerId` is in the sample of `surveyId` at `rate` (0-1). */
export function inSurveySample(surveyId: string, customerId: string, rate = 1): boolean {
  if (rate >= 1) return true;
  if (rate <= 0) return false;
  return surveyHash(`${surveyId}\n${customerId}`) / 0x1_0000_0000 < rate;
}
