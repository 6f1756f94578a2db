import { TouchpointConfigError } from '@touchpoint/core';
import { describe, expect, it } from 'vitest';
import { destinationsFromEnv } from './destinations-from-env.js';

describe('destinationsFromEnv', () => {
  it('always writes JSONL, and adds the webhook and Segment only when the environment names them', () => {
    expect(destinationsFromEnv('/tmp/data', {}).map((d) => d.name)).toEqual(['jsonl']);
    const all = destinationsFromEnv('/tmp/data', {
      TOUCHPOINT_WEBHOOK_URL: 'http://127.0.0.1:9000/hook',
      TOUCHPOINT_WEBHOOK_SECRET: 'whsec_ZXhhbXBsZS1zZXJ2ZXItc2VjcmV0LTAxMjM0NTY3ODk=',
      SEGMENT_WRITE_KEY: 'seg_key',
      SEGMENT_HOST: 'http://127.0.0.1:9001',
    });
    expect(all.map((d) => d.name)).toEqual(['jsonl', 'webhook', 'segment']);
  });

  it('refuses to start an unsigned webhook', () => {
    expect(() => destinationsFromEnv('/tmp/data', { TOUCHPOINT_WEBHOOK_URL: 'http://127.0.0.1:9000/hook' })).toThrow(
      TouchpointConfigError,
    );
  });
});
