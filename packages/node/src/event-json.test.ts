import { describe, expect, it } from 'vitest';
import { trackEvent } from '../test/events.js';
import { batchJsons, jsonArrayBody } from './event-json.js';

describe('jsonArrayBody', () => {
  it('writes exactly the bytes of the equivalent JSON text, multi-byte characters included', () => {
    const events = [
      trackEvent({ properties: { note: 'Grüße, 東京 🚚' } }),
      trackEvent(),
      trackEvent({ properties: {} }),
    ];
    const body = jsonArrayBody('{"batch":', batchJsons(events), ',"v":1}');
    expect(body.toString('utf8')).toBe(`{"batch":${JSON.stringify(events)},"v":1}`);
    expect(jsonArrayBody('{"batch":', [], '}').toString()).toBe('{"batch":[]}');
  });
});
