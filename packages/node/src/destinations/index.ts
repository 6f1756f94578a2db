/**
 * The built-in destinations, one module each. Anything else is `destinations.fn(async (events) => …)`
 * or a plain object with `name` and `send(events)`.
 */
import { fn } from './fn.js';
import { http } from './http.js';
import { jsonl } from './jsonl.js';
import { nats } from './nats.js';
import { segment } from './segment.js';
import { webhook } from './webhook.js';

export { fn, http, jsonl, nats, segment, webhook };

/**
 * All factories in one object. A plain object literal (not a module namespace) so bundlers drop
 * it, and every destination, when an app imports only `verifyWebhook`.
 *
 * @example
 * createForwarder({ destinations: [destinations.jsonl({ path: 'events.jsonl' })] });
 */
export const destinations = { fn, http, jsonl, nats, segment, webhook };
