/**
 * The built-in destinations, one module each. Anything else is `destinations.fn(async (events) => …)`
 * or a plain object with `name` and `send(events)`.
 */
export { fn } from './fn.js';
export { http } from './http.js';
export { jsonl } from './jsonl.js';
export { nats } from './nats.js';
export { segment } from './segment.js';
export { webhook } from './webhook.js';
