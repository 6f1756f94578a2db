/**
 * Automatic capture: the first visit, page views (including single-page-app navigation), the
 * session's campaign source, and Core Web Vitals. The tracker loads this module with a dynamic
 * `import()` right after it starts, so none of it weighs on the first load. Names ending in `_`
 * are internal and shortened by the build (see tsup.config.ts).
 */
import type { EventContext, JourneyStage, JsonObject } from '@touchpoint/core';
import { captures } from './config.js';
import { getWindow } from './environment.js';
import type { IdentityStore } from './identity.js';
import { campaignFrom, externalReferrer, watchNavigation } from './page-capture.js';
import { pageContext } from './page-context.js';
import type { TrackerConfig } from './types.js';
import { captureWebVitals, WEB_VITAL_TOUCHPOINT } from './web-vitals.js';

/** What the tracker hands to auto-capture when it loads. */
export interface AutoCaptureStart {
  /** The tracker's `autoCapture` setting. */
  auto_: TrackerConfig<any>['autoCapture'];
  identity_: Pick<IdentityStore, 'firstVisit_' | 'setCampaign_'>;
  /** Whether a session started with this page load (its campaign is captured now). */
  sessionStarted_: boolean;
  /** The tracker's own recording of a touchpoint. */
  record_: (name: string, properties: JsonObject, stage?: JourneyStage, page?: EventContext['page']) => unknown;
  /** The tracker's `page()`. */
  page_: () => unknown;
  /** Reports a fault as the tracker's `internal` error. */
  onError_: (error: unknown) => void;
}

/** Running auto-capture, as the tracker holds it. */
export interface AutoCapture {
  /** A new session started (the tracker noticed): capture its campaign. */
  sessionStarted_(): void;
  stop_(): void;
}

/** Starts capturing what `auto_` turns on. */
export function startAutoCapture({
  auto_: auto,
  identity_: identity,
  sessionStarted_: sessionHasStarted,
  record_: record,
  page_: page,
  onError_: onError,
}: AutoCaptureStart): AutoCapture {
  const w = getWindow()!;
  const sessionStarted = () => {
    if (!captures(auto, 'campaigns')) return;
    const campaign = campaignFrom(w.location.search);
    const referrer = externalReferrer(w);
    if (campaign) identity.setCampaign_(campaign);
    if (campaign || referrer) {
      record(
        'campaign.landed',
        {
          source: campaign?.source ?? null,
          medium: campaign?.medium ?? null,
          campaign: campaign?.name ?? null,
          referrer: referrer ?? null,
        },
        'awareness',
      );
    }
  };
  if (sessionHasStarted) sessionStarted();
  if (captures(auto, 'firstVisit') && identity.firstVisit_) {
    record(
      'site.first_visit',
      { landingPage: w.location.pathname, referrer: w.document.referrer || null },
      'awareness',
    );
  }
  let stop = () => {};
  if (captures(auto, 'pageviews')) {
    page();
    stop = watchNavigation(w, () => page());
  }
  if (captures(auto, 'webVitals')) {
    captureWebVitals(
      pageContext(w),
      (properties, page) => record(WEB_VITAL_TOUCHPOINT, properties, undefined, page),
      onError,
    );
  }
  return { sessionStarted_: sessionStarted, stop_: stop };
}
