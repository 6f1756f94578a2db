/**
 * Automatic capture: the first visit, page views (including single-page-app navigation), the
 * session's campaign source, and Core Web Vitals. The tracker loads this module with a dynamic
 * `import()` right after it starts, so none of it weighs on the first load.
 */
import type { EventContext, JourneyStage, JsonObject } from '@touchpoint/core';
import { captures } from './config.js';
import { campaignFrom, externalReferrer, watchNavigation } from './page-capture.js';
import { pageContext } from './page-context.js';
import type { TrackerConfig } from './types.js';
import { captureWebVitals, WEB_VITAL_TOUCHPOINT } from './web-vitals.js';

export interface CaptureHost {
  w: Window;
  /** The tracker's `autoCapture` option. */
  auto: TrackerConfig<any>['autoCapture'];
  /** This browser's first visit. */
  firstVisit: boolean;
  /** A session started with this page load. */
  sessionStarted: boolean;
  record(name: string, properties: JsonObject, stage?: JourneyStage, page?: EventContext['page']): unknown;
  page(): unknown;
  setCampaign(campaign: EventContext['campaign']): void;
  onError(error: unknown): void;
}

/** Starts capturing; returns what to call when a new session starts, and how to stop. */
export function startAutoCapture(host: CaptureHost): { sessionStarted(): void; stop(): void } {
  const { w, auto } = host;
  const sessionStarted = () => {
    if (!captures(auto, 'campaigns')) return;
    const campaign = campaignFrom(w.location.search);
    const referrer = externalReferrer(w);
    if (campaign) host.setCampaign(campaign);
    if (campaign || referrer) {
      host.record(
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
  if (host.sessionStarted) sessionStarted();
  if (captures(auto, 'firstVisit') && host.firstVisit) {
    host.record(
      'site.first_visit',
      { landingPage: w.location.pathname, referrer: w.document.referrer || null },
      'awareness',
    );
  }
  let stop = () => {};
  if (captures(auto, 'pageviews')) {
    host.page();
    stop = watchNavigation(w, () => host.page());
  }
  if (captures(auto, 'webVitals')) {
    captureWebVitals(
      pageContext(w),
      (properties, page) => host.record(WEB_VITAL_TOUCHPOINT, properties, undefined, page),
      host.onError,
    );
  }
  return { sessionStarted, stop };
}
