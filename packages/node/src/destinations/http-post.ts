/**
 * One HTTP POST as a delivery attempt: the answer becomes a `DeliveryResult` (status and
 * `Retry-After` decide retrying); network errors and aborts are thrown, which the queue retries.
 * Shared by the http, webhook and segment destinations.
 */
import { TouchpointConfigError } from '@touchpoint/core';
import type { DeliveryResult } from '../types.js';

export async function postBody(
  url: string,
  body: string,
  headers: Record<string, string>,
  signal: AbortSignal | undefined,
): Promise<DeliveryResult> {
  const response = await fetch(url, { method: 'POST', body, headers, ...(signal && { signal }) });
  if (response.ok) {
    // Read the body so the connection returns to the keep-alive pool.
    await response.arrayBuffer();
    return { ok: true, status: response.status };
  }
  let detail = '';
  try {
    detail = (await response.text()).slice(0, 300);
  } catch {
    // The answer's status is what matters; an unreadable body adds nothing.
  }
  return {
    ok: false,
    status: response.status,
    retryAfter: response.headers.get('retry-after'),
    message: `POST ${url} answered ${response.status}${detail ? `: ${detail}` : ''}`,
  };
}

export function checkUrl(url: unknown, field: string): URL {
  try {
    const parsed = new URL(String(url));
    if (parsed.protocol === 'http:' || parsed.protocol === 'https:') return parsed;
  } catch {
    // Falls through to the config error below.
  }
  throw new TouchpointConfigError(field, `must be an http(s) URL, got ${JSON.stringify(url)}`);
}
