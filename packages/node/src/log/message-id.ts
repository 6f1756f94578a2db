/**
 * The `messageId` of an event's JSON without parsing the event: the JetStream log sends it as
 * `Nats-Msg-Id` so the stream drops a resend (a browser retry, another ingest instance) within
 * its duplicate window. Only a top-level `"messageId"` counts — one inside `properties` must not
 * make two different events look like one.
 */

const KEY = '"messageId":"';

/**
 * The top-level `messageId` string of `json`, or `undefined` when it has none.
 *
 * @example
 * messageIdOf('{"type":"track","messageId":"a1"}'); // 'a1'
 */
export function messageIdOf(json: string): string | undefined {
  const at = json.indexOf(KEY);
  if (at < 0) return undefined;
  // Fast path: no object opens before the key, so it belongs to the event itself.
  const inner = json.indexOf('{', 1);
  if (inner < 0 || inner > at) return valueAt(json, at + KEY.length);
  return scan(json);
}

function valueAt(json: string, from: number): string | undefined {
  const end = json.indexOf('"', from);
  if (end <= from) return undefined;
  const id = json.slice(from, end);
  // An escape means the id is not a plain token: send no id rather than a wrong one.
  return id.includes('\\') ? undefined : id;
}

/** Walks the text keeping depth and string state; returns the value of the key at depth 1. */
function scan(json: string): string | undefined {
  let depth = 0;
  for (let i = 0; i < json.length; i++) {
    const c = json.charCodeAt(i);
    if (c === 0x22 /* " */) {
      if (depth === 1 && json.startsWith(KEY, i)) return valueAt(json, i + KEY.length);
      // Skip the string.
      for (i++; i < json.length; i++) {
        const d = json.charCodeAt(i);
        if (d === 0x5c /* \ */) i++;
        else if (d === 0x22) break;
      }
    } else if (c === 0x7b /* { */ || c === 0x5b /* [ */) depth++;
    else if (c === 0x7d /* } */ || c === 0x5d /* ] */) depth--;
  }
  return undefined;
}

/**
 * The `messageId` of an event's JSON, or of the event inside a dead-letter record
 * (`{ destination, reason, message, at, event }`): what an erasure reports so dedupe can forget it.
 */
export function eventMessageIdOf(json: string): string | undefined {
  const own = messageIdOf(json);
  // A copy, not a slice: an erase collects 100k of these, and a slice keeps its whole event alive.
  if (own !== undefined) return ` ${own}`.slice(1);
  try {
    const id = (JSON.parse(json) as { event?: { messageId?: unknown } })?.event?.messageId;
    return typeof id === 'string' ? id : undefined;
  } catch {
    return undefined;
  }
}
