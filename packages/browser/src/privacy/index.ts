/**
 * `@touchpoint/browser/privacy` — the customer's own privacy requests from the storefront. Its own
 * entry, so the tracker's first load does not carry it: import it where the account page needs it.
 */
export {
  type RequestErasureErrorCode,
  type RequestErasureOptions,
  type RequestErasureResult,
  requestErasure,
} from './request-erasure.js';
