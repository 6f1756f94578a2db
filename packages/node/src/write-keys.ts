/**
 * Write keys for the ingest endpoints (Touchpoint's and the Segment-compatible one): where a
 * request carries its key, and one checked way to ask whether a key is valid. A `writeKeys`
 * function that throws refuses the key (reported through `onError`) instead of failing the request.
 */
import { TouchpointConfigError } from '@touchpoint/core';

export type WriteKeys = string[] | ((key: string) => boolean | Promise<boolean>);

/**
 * Validates the `writeKeys` option once, at creation, and returns the check used per request.
 *
 * @example
 * const isValidKey = createWriteKeyCheck(['pk_live_1'], onError);
 * await isValidKey('pk_live_1'); // true
 */
export function createWriteKeyCheck(
  keys: WriteKeys,
  onError: (error: { source: string; message: string; error?: unknown }) => void,
): (key: string) => Promise<boolean> {
  if (
    !(
      typeof keys === 'function' ||
      (Array.isArray(keys) && keys.length > 0 && keys.every((k) => typeof k === 'string' && k !== ''))
    )
  ) {
    throw new TouchpointConfigError(
      'writeKeys',
      'must be a non-empty array of write keys or a function (key) => boolean',
    );
  }
  if (Array.isArray(keys)) {
    const keySet = new Set(keys);
    return async (key) => keySet.has(key);
  }
  return async (key) => {
    try {
      return (await keys(key)) === true;
    } catch (error) {
      onError({ source: 'writeKeys', message: `writeKeys(key) threw; refusing the key: ${String(error)}`, error });
      return false;
    }
  };
}

/**
 * The key a request carries outside its body: `Authorization: Bearer <key>`, `Authorization:
 * Basic` with the key as the user name (how Segment's clients send it), `X-Touchpoint-Key`, or
 * `?writeKey=`.
 *
 * @example
 * writeKeyFromRequest(request, new URL(request.url)); // 'pk_live_1' or undefined
 */
export function writeKeyFromRequest(request: Request, url: URL): string | undefined {
  const auth = request.headers.get('authorization');
  if (auth && /^bearer\s+/i.test(auth)) return auth.replace(/^bearer\s+/i, '').trim();
  if (auth && /^basic\s+/i.test(auth)) {
    const decoded = Buffer.from(auth.replace(/^basic\s+/i, ''), 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return colon === -1 ? decoded : decoded.slice(0, colon);
  }
  return request.headers.get('x-touchpoint-key') ?? url.searchParams.get('writeKey') ?? undefined;
}
