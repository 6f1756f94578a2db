/**
 * Automatic capture: the first visit, page views (including single-page-app navigation), the
 * session's campaign source, and Core Web Vitals. The tracker loads this module with a dynamic
 * `import()` right after it starts, so none of it weighs on the first load.
 */
import type { EventContext, JourneyStage, JsonObject } from '@touchpoint/core';
import { captures } from './config.js';
import { getWindow } from './environment.js';
import type { IdentityStore } from './identity.js';
import { campaignFrom, externalReferrer, watchNavigation } from './page-capture.js';
import { pageContext } from './page-context.js';
import type { TrackerConfig } from './types.js';
import { captureWebVitals, WEB_VITAL_TOUCHPOINT } from './web-vitals.js';

/**
 * Starts capturing; returns what to call when a new session starts, and how to stop.
 * `sessionStarted` says whether a session started with this page load; `record` and `page` are
 * the tracker's own, and `onError` reports a fault as the tracker's `internal` error.
 */
export function startAutoCapture(
  auto: TrackerConfig<any>['autoCapture'],
  identity: Pick<IdentityStore, 'firstVisit' | 'setCampaign'>,
  sessionHasStarted: boolean,
  record: (name: string, properties: JsonObject, stage?: JourneyStage, page?: EventContext['page']) => unknown,
  page: () => unknown,
  onError: (error: unknown) => void,
): { sessionStarted(): void; stop(): void } {
  const w = getWindow()!;
  const sessionStarted = () => {
    if (!captures(auto, 'campaigns')) return;
    const campaign = campaignFrom(w.location.search);
    const referrer = externalReferrer(w);
    if (campaign) identity.setCampaign(campaign);
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
  if (captures(auto, 'firstVisit') && identity.firstVisit) {
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
  return { sessionStarted, stop };
}
