/**
 * Reads a request body with a byte limit enforced while streaming: past the limit it stops
 * reading and cancels the stream, so a 10 MB (or endless) body never sits in memory. Also the
 * request's URL, which every handler reads first.
 */

/** The request's URL; a relative one (some adapters pass only a path) reads as on `localhost`. */
export function requestUrl(request: Request): URL {
  try {
    return new URL(request.url);
  } catch {
    return new URL('http://localhost/');
  }
}

export type BodyResult =
  | { ok: true; text: string }
  | { ok: false; reason: 'too_large' | 'invalid_utf8' | 'read_error'; message: string };

/**
 * @example
 * const body = await readBodyLimited(request, 500 * 1024);
 * if (!body.ok && body.reason === 'too_large') return json(413, …);
 */
export async function readBodyLimited(request: Request, maxBytes: number): Promise<BodyResult> {
  const declared = request.headers.get('content-length');
  if (declared !== null && Number(declared) > maxBytes) {
    return { ok: false, reason: 'too_large', message: `body is ${declared} bytes; at most ${maxBytes} are accepted` };
  }
  if (!request.body) return { ok: true, text: '' };
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > maxBytes) {
        await reader.cancel('body too large').catch(() => {});
        return {
          ok: false,
          reason: 'too_large',
          message: `body is over ${maxBytes} bytes; at most ${maxBytes} are accepted`,
        };
      }
      chunks.push(value);
    }
  } catch (error) {
    return { ok: false, reason: 'read_error', message: `could not read the body: ${String(error)}` };
  }
  const bytes = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  try {
    return { ok: true, text: new TextDecoder('utf-8', { fatal: true, ignoreBOM: false }).decode(bytes) };
  } catch {
    return { ok: false, reason: 'invalid_utf8', message: 'body is not valid UTF-8' };
  }
}
