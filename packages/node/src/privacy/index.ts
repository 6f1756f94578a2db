/**
 * `@touchpoint/node/privacy` — personal data under control, end to end: erase a customer from
 * every store Touchpoint owns and from every destination (with a status per destination and an
 * audit record that holds no personal data), keep consent decisions as proof, and expire what is
 * old. A subpath of its own so the package root stays light.
 */

export {
  CONSENT_EVENT,
  ConsentEventError,
  type ConsentLedger,
  type ConsentLedgerOptions,
  createConsentLedger,
} from './consent-ledger.js';
export {
  type CaseSource,
  type ConsentSource,
  createPrivacy,
  type DestinationEraseOutcome,
  type ErasableForwarder,
  ErasureInputError,
  forgetTarget,
  type PrivacyOptions,
  type ProfileSource,
} from './create-privacy.js';
export { createErasureHandler, type ErasureHandler, type ErasureHandlerOptions } from './erasure-handler.js';
export {
  createErasureSubject,
  type ErasureRequest,
  type ErasureSubject,
  type ErasureTarget,
  type ErasureTargetResult,
  erasureRequest,
  type KeyOf,
  type SubjectInput,
} from './subject.js';
export type {
  ConsentRecord,
  DestinationErasureStatus,
  ErasureRecord,
  Privacy,
  StoreErasureResult,
} from './types.js';
