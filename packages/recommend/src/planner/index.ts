/** The upsell planner: policy, customer state reducers and the decision. Platform-free. */
export {
  createUpsellPlanner,
  type DecideInput,
  FEEDBACK_TRIGGER,
  type Trigger,
  type UpsellPlanner,
} from './planner.js';
export {
  DEFAULT_POLICY,
  isTimeZone,
  type MinEngagement,
  type QuietHours,
  type ResolvedPolicy,
  resolvePolicy,
  type TriggerRule,
  type UpsellPolicy,
} from './policy.js';
export {
  type CustomerState,
  emptyState,
  type FeedbackRecord,
  isCustomerState,
  itemsOf,
  type OfferOutcome,
  type OfferRecord,
  type OfferRef,
  recordEvent,
  recordOffer,
  type SessionState,
  type SupportCase,
} from './state.js';
export {
  type Decision,
  type ItemDescription,
  type Offer,
  type OfferCatalog,
  type OfferKind,
  type Price,
  type RecommenderLike,
  type RecoveryOffer,
  type ShowReason,
  SUPPRESS_REASONS,
  type SuppressReason,
  type UpsellCandidate,
  type UpsellCandidateRequest,
} from './types.js';
