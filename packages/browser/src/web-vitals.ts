/**
 * Core Web Vitals as touchpoints. `web-vitals` is loaded with a dynamic `import()` only when this
 * runs, so it costs nothing in the tracker's first load. Each metric is recorded as a
 * `web_vital.measured` event carrying the page it measures (the page the tracker started on).
 */
import type { EventContext, JsonObject } from '@touchpoint/core';

export const WEB_VITAL_TOUCHPOINT = 'web_vital.measured';

export function captureWebVitals(
  page: EventContext['page'],
  record: (properties: JsonObject, page: EventContext['page']) => void,
  onError: (error: unknown) => void,
): void {
  import('web-vitals')
    .then(({ onCLS, onFCP, onINP, onLCP, onTTFB }) => {
      for (const on of [onCLS, onFCP, onINP, onLCP, onTTFB]) {
        on((metric) => {
          record(
            {
              metric: metric.name,
              value: metric.value,
              rating: metric.rating,
              delta: metric.delta,
              id: metric.id,
              navigationType: metric.navigationType,
            },
            page,
          );
        });
      }
    })
    .catch(onError);
}
