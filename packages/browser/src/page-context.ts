/**
 * The page an event happened on, for every event's context.
 */
import type { EventContext } from '@touchpoint/core';

export function pageContext(w: Window): NonNullable<EventContext['page']> {
  const { location, document } = w;
  return {
    url: location.href,
    path: location.pathname,
    search: location.search || undefined,
    title: document.title || undefined,
    referrer: document.referrer || undefined,
  };
}
