/** The zod schemas and the hand-written wire types must describe the same shapes. */
import { describe, expectTypeOf, it } from 'vitest';
import type * as z from 'zod';
import type { AliasEvent, FeedbackEvent, IdentifyEvent, PageEvent, TouchpointEvent, TrackEvent } from '../event.js';
import type {
  aliasEventSchema,
  eventSchema,
  feedbackEventSchema,
  identifyEventSchema,
  pageEventSchema,
  trackEventSchema,
} from './events.js';

describe('schemas match the wire types', () => {
  it('each event type', () => {
    expectTypeOf<z.output<typeof trackEventSchema>>().toExtend<TrackEvent>();
    expectTypeOf<z.output<typeof pageEventSchema>>().toExtend<PageEvent>();
    expectTypeOf<z.output<typeof identifyEventSchema>>().toExtend<IdentifyEvent>();
    expectTypeOf<z.output<typeof aliasEventSchema>>().toExtend<AliasEvent>();
    expectTypeOf<z.output<typeof feedbackEventSchema>>().toExtend<FeedbackEvent>();
    expectTypeOf<z.output<typeof eventSchema>>().toExtend<TouchpointEvent>();
    // and every field of the wire types is known to the schemas
    expectTypeOf<keyof TrackEvent>().toEqualTypeOf<keyof z.output<typeof trackEventSchema>>();
    expectTypeOf<keyof IdentifyEvent>().toEqualTypeOf<keyof z.output<typeof identifyEventSchema>>();
    expectTypeOf<keyof FeedbackEvent>().toEqualTypeOf<keyof z.output<typeof feedbackEventSchema>>();
  });
});
