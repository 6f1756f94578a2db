/**
 * `@touchpoint/node/cases` — one customer across every channel, one case across every
 * conversation, and promises that are kept: the identity graph, the case book, promise and SLA
 * tracking and conversion per conversation state, on an embedded Postgres or a Postgres server.
 * A subpath of its own so the package root stays light: nothing here loads unless imported.
 */
export { type BusinessHours, type BusinessHoursOptions, createBusinessHours, type Weekday } from './business-hours.js';
export {
  type CaseAlert,
  type CaseBook,
  type CaseBookOptions,
  type CaseDetail,
  type CaseSla,
  type CaseSummary,
  type CustomerHistory,
  createCaseBook,
  type RecordResult,
  type RepeatContactAlert,
  type TimelineEntry,
} from './case-book.js';
export { CASE_EVENT_NAMES, type CaseEvent, type CaseState, isCaseEvent, readCaseEvent } from './case-events.js';
export type { CaseDashboard, ConversionCell, ConversionReport } from './case-reports.js';
export type { RetentionResult } from './case-retention.js';
export { type CasesDestinationOptions, casesDestination } from './cases-destination.js';
export { CaseInputError, type CaseInputErrorCode } from './errors.js';
export {
  createIdentityGraph,
  type IdentityGraph,
  type IdentityGraphOptions,
  type LinkRecord,
  type LinkResult,
  type LinkSource,
  type Profile,
  type Review,
} from './identity-graph.js';
export type { IdentityKey, IdentityKeyOptions, IdentityRef } from './identity-key.js';
export { MIGRATIONS, type Migration, migrate } from './migrations.js';
export { type ProfileScope, parseKeyString } from './profile-erasure.js';
export type { PromiseAlert, PromiseRecord, PromiseWatch } from './promise-alerts.js';
export {
  type EmbeddedStoreOptions,
  openEmbeddedStore,
  openPostgresStore,
  type PostgresStoreOptions,
  type SqlRunner,
  type SqlStore,
} from './sql-store.js';
export { type ScrubReport, scrubStore } from './store-scrub.js';
