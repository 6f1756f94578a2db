import { afterEach, describe, expect, it } from 'vitest';
import { trackEvent } from '../../test/events.js';
import { type Sink, startSink } from '../../test/loopback-sink.js';
import { createErasureSubject, erasureRequest } from '../privacy/subject.js';
import { http } from './http.js';

let sink: Sink | undefined;
afterEach(async () => {
  await sink?.close();
  sink = undefined;
});

const request = () =>
  erasureRequest(
    createErasureSubject({ erasureId: 'er_http', userIds: ['u-1'], emails: ['a@example.vn'] }),
    new Date('2026-11-30T00:00:00.000Z'),
  );

describe('http destination, erasure', () => {
  it('has no erase without the option, so an erasure records it as unsupported', () => {
    expect(http({ url: 'https://warehouse.example/tp' }).erase).toBeUndefined();
  });

  it('POSTs the identity.erased message to erase.url with the destination headers, no raw email', async () => {
    sink = await startSink();
    const destination = http({
      url: sink.url,
      headers: { authorization: 'Bearer t0k' },
      erase: { url: sink.url.replace('/ingest', '/erase'), headers: { 'x-purpose': 'erasure' } },
    });
    await destination.send([trackEvent()]);
    expect(await destination.erase!(request())).toMatchObject({ ok: true, status: 200 });
    const sent = sink.requests[1]!;
    expect(sent.url).toBe('/erase');
    expect(sent.headers).toMatchObject({ authorization: 'Bearer t0k', 'x-purpose': 'erasure' });
    expect(JSON.parse(sent.body)).toMatchObject({ type: 'identity.erased', erasureId: 'er_http', userIds: ['u-1'] });
    expect(sent.body).not.toContain('a@example.vn');
    await destination.close?.();
  });

  it('runs a hook with a post helper; its answer decides retrying', async () => {
    sink = await startSink((r) => (r.url === '/gdpr/delete' ? { status: 429, headers: { 'retry-after': '30' } } : {}));
    const seen: string[][] = [];
    const destination = http({
      url: sink.url,
      erase: async (req, { post, message }) => {
        seen.push(req.userIds);
        expect(message({ includeRaw: true }).emails).toEqual(['a@example.vn']);
        return post({ delete: req.userIds }, { url: sink!.url.replace('/ingest', '/gdpr/delete') });
      },
    });
    expect(await destination.erase!(request())).toEqual({
      ok: false,
      status: 429,
      retryAfter: '30',
      message: expect.any(String),
    });
    expect(seen).toEqual([['u-1']]);
    expect(JSON.parse(sink.requests[0]!.body)).toEqual({ delete: ['u-1'] });
    await destination.close?.();
  });

  it('checks the erase option at creation', () => {
    expect(() => http({ url: 'https://x.example', erase: 'yes' as never })).toThrow(/http\.erase/);
    expect(() => http({ url: 'https://x.example', erase: { url: 'nope' } })).toThrow(/http\.erase\.url/);
  });
});
