/**
 * Random UUID v4 ids for events, sessions, visitors and tabs. The page's copy of core's
 * `createMessageId`, without its `Math.random` fallback: every browser the tracker supports
 * (ES2020) has `crypto.getRandomValues`, secure context or not, so that fallback would be bytes
 * of the first load that never run. `crypto.randomUUID` (secure contexts only) is used where it
 * exists: it is also the fastest.
 */
export function createMessageId(): string {
  if (crypto.randomUUID) return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6]! & 15) | 64; // version 4
  b[8] = (b[8]! & 63) | 128; // RFC 4122 variant
  let hex = '';
  for (const x of b) hex += (x + 256).toString(16).slice(1);
  return hex.replace(/^(.{8})(.{4})(.{4})(.{4})/, '$1-$2-$3-$4-');
}
