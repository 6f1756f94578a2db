/** The ingest endpoints' JSON answers: one content type, never cached. */

/**
 * @example
 * return jsonResponse(401, { error: 'invalid_write_key', message: '…' }, corsHeaders);
 */
export function jsonResponse(status: number, body: unknown, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers },
  });
}
