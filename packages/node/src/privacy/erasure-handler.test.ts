import { TouchpointConfigError } from '@touchpoint/core';
import { createManualClock } from '@touchpoint/core/testing';
import { describe, expect, it } from 'vitest';
import type { IdentityRef } from '../cases/identity-key.js';
import { createErasureHandler, type ErasureHandlerOptions } from './erasure-handler.js';
import type { ErasureRecord, Privacy } from './types.js';

/**
 * A minimal `Privacy` that records what it is asked to erase and answers like the real one: an
 * audit record once the stores are erased. `gate` holds an erasure open (to test a double click);
 * `fail` makes the next one reject.
 */
function recordingPrivacy() {
  const calls: { identities: IdentityRef[]; requestedBy: string }[] = [];
  let gate: Promise<void> | undefined;
  let fail: Error | undefined;
  const privacy: Pick<Privacy, 'erase'> = {
    async erase(identity, options) {
      calls.push({ identities: Array.isArray(identity) ? identity : [identity], requestedBy: options.requestedBy });
      await gate;
      if (fail) {
        const error = fail;
        fail = undefined;
        throw error;
      }
      const record: ErasureRecord = {
        id: `er_${calls.length}`,
        requestedAt: new Date(0).toISOString(),
        requestedBy: options.requestedBy,
        identityKinds: { userId: 1 },
        stores: [{ store: 'log', ok: true, erased: 3 }],
        destinations: { crm: { status: 'pending', attempts: 0 } },
        status: 'pending',
        erasedAt: new Date(0).toISOString(),
      };
      return record;
    },
  };
  return {
    privacy,
    calls,
    hold() {
      let open!: () => void;
      gate = new Promise((resolve) => {
        open = resolve;
      });
      return () => {
        gate = undefined;
        open();
      };
    },
    failNext(error: Error) {
      fail = error;
    },
  };
}

/** The shop's session check: a cookie `session=<userId>`. */
const bySessionCookie: ErasureHandlerOptions['authenticate'] = (request) => {
  const match = /(?:^|;\s*)session=([^;]+)/.exec(request.headers.get('cookie') ?? '');
  return match ? { userId: decodeURIComponent(match[1]!) } : null;
};

const URL_ = 'http://shop.example/api/privacy/erasure';
function ask(
  body: unknown,
  { user, headers = {}, method = 'POST' }: { user?: string; headers?: Record<string, string>; method?: string } = {},
): Request {
  return new Request(URL_, {
    method,
    headers: {
      'content-type': 'application/json',
      ...(user && { cookie: `theme=dark; session=${encodeURIComponent(user)}` }),
      ...headers,
    },
    ...(method !== 'GET' && method !== 'OPTIONS' && { body: typeof body === 'string' ? body : JSON.stringify(body) }),
  });
}

function setUp(options: Partial<ErasureHandlerOptions> = {}) {
  const recording = recordingPrivacy();
  const errors: { source: string; message: string }[] = [];
  const clock = createManualClock(Date.parse('2026-11-30T10:00:00Z'));
  const handler = createErasureHandler({
    privacy: recording.privacy,
    authenticate: bySessionCookie,
    onError: (e) => errors.push({ source: e.source, message: e.message }),
    clock,
    ...options,
  });
  return { handler, clock, errors, ...recording };
}

describe('createErasureHandler', () => {
  it("erases the session's user (asked by the customer) and answers 202 with the erasure's id", async () => {
    const { handler, calls } = setUp();
    const response = await handler(ask({ anonymousId: 'anon-1', userId: 'u-42' }, { user: 'u-42' }));
    expect(response.status).toBe(202);
    expect(response.headers.get('cache-control')).toBe('no-store');
    expect(await response.json()).toEqual({ erasureId: 'er_1', status: 'pending' });
    // The page's anonymous id is a claim: without verifyAnonymousId the graph decides what is linked.
    expect(calls).toEqual([{ identities: [{ userId: 'u-42' }], requestedBy: 'customer' }]);
  });

  it("erases the session's user, not the one the body names", async () => {
    const { handler, calls } = setUp();
    const response = await handler(ask({ userId: 'someone-else' }, { user: 'u-7' }));
    expect(response.status).toBe(202);
    expect(calls.map((c) => c.identities)).toEqual([[{ userId: 'u-7' }]]);
  });

  it('answers 401 without a signed-in customer, and erases nothing', async () => {
    const { handler, calls } = setUp();
    const response = await handler(ask({ userId: 'u-42', anonymousId: 'anon-1' }));
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: 'unauthenticated' });
    expect(calls).toEqual([]);
    const empty = setUp({ authenticate: () => ({ userId: '  ' }) });
    expect((await empty.handler(ask({}))).status).toBe(401);
  });

  it("adds the page's anonymous id only when verifyAnonymousId confirms it is the user's", async () => {
    const seen: [string, string][] = [];
    const { handler, calls } = setUp({
      rateLimit: { windowMs: 0 },
      verifyAnonymousId: (userId, anonymousId) => {
        seen.push([userId, anonymousId]);
        return anonymousId === 'anon-mine';
      },
    });
    expect((await handler(ask({ anonymousId: 'anon-mine' }, { user: 'u-1' }))).status).toBe(202);
    expect((await handler(ask({ anonymousId: 'anon-other' }, { user: 'u-1' }))).status).toBe(202);
    expect(seen).toEqual([
      ['u-1', 'anon-mine'],
      ['u-1', 'anon-other'],
    ]);
    expect(calls.map((c) => c.identities)).toEqual([
      [{ userId: 'u-1' }, { anonymousId: 'anon-mine' }],
      [{ userId: 'u-1' }],
    ]);
  });

  it('treats a verifyAnonymousId that throws as "not theirs" and says so', async () => {
    const { handler, calls, errors } = setUp({
      verifyAnonymousId: () => {
        throw new Error('db down');
      },
    });
    expect((await handler(ask({ anonymousId: 'anon-1' }, { user: 'u-1' }))).status).toBe(202);
    expect(calls.map((c) => c.identities)).toEqual([[{ userId: 'u-1' }]]);
    expect(errors.map((e) => e.source)).toEqual(['verifyAnonymousId']);
  });

  it('shares one erasure between a double click, then answers 429 with Retry-After until the window ends', async () => {
    const { handler, calls, clock, hold } = setUp({ rateLimit: { windowMs: 60_000 } });
    const release = hold();
    const first = handler(ask({}, { user: 'u-9' }));
    const second = handler(ask({}, { user: 'u-9' }));
    // Another customer is not held up by u-9's limit.
    const other = handler(ask({}, { user: 'u-10' }));
    await new Promise((resolve) => setImmediate(resolve));
    release();
    const answers = await Promise.all([first, second, other]);
    expect(answers.map((r) => r.status)).toEqual([202, 202, 202]);
    const [a, b] = await Promise.all(answers.map((r) => r.json()));
    expect(a).toEqual(b);
    expect(calls.map((c) => c.identities)).toEqual([[{ userId: 'u-9' }], [{ userId: 'u-10' }]]);

    clock.advance(20_000);
    const again = await handler(ask({}, { user: 'u-9' }));
    expect(again.status).toBe(429);
    expect(again.headers.get('retry-after')).toBe('40');
    expect(await again.json()).toMatchObject({ error: 'rate_limited' });

    clock.advance(40_000);
    expect((await handler(ask({}, { user: 'u-9' }))).status).toBe(202);
    expect(calls).toHaveLength(3);
  });

  it('answers 500 when the erasure fails, tells onError, and lets the customer try again at once', async () => {
    const { handler, calls, errors, failNext } = setUp();
    failNext(new Error('log unavailable'));
    const failed = await handler(ask({}, { user: 'u-3' }));
    expect(failed.status).toBe(500);
    expect(await failed.json()).toMatchObject({ error: 'erasure_failed' });
    expect(errors).toEqual([{ source: 'erase', message: 'privacy.erase failed: Error: log unavailable' }]);
    const retried = await handler(ask({}, { user: 'u-3' }));
    expect(retried.status).toBe(202);
    expect(calls).toHaveLength(2);
  });

  it('answers 500 when the session check throws, and erases nothing', async () => {
    const { handler, calls, errors } = setUp({
      authenticate: () => {
        throw new Error('session store down');
      },
    });
    const response = await handler(ask({}, { user: 'u-1' }));
    expect(response.status).toBe(500);
    expect(await response.json()).toMatchObject({ error: 'authentication_failed' });
    expect(errors.map((e) => e.source)).toEqual(['authenticate']);
    expect(calls).toEqual([]);
  });

  it('refuses what requestErasure never sends, with a JSON error saying what is allowed', async () => {
    const { handler, calls } = setUp();
    const cases: [Request, number, string][] = [
      [ask({}, { user: 'u-1', method: 'GET' }), 405, 'method_not_allowed'],
      [ask('{}', { user: 'u-1', headers: { 'content-type': 'text/plain' } }), 415, 'unsupported_media_type'],
      [ask('{"anonymousId":', { user: 'u-1' }), 400, 'invalid_json'],
      [ask([1, 2], { user: 'u-1' }), 400, 'invalid_body'],
      [ask({ anonymousId: 42 }, { user: 'u-1' }), 400, 'invalid_body'],
      [ask({ userId: 'x'.repeat(513) }, { user: 'u-1' }), 400, 'invalid_body'],
      [ask({ anonymousId: 'a'.repeat(5000) }, { user: 'u-1' }), 413, 'payload_too_large'],
    ];
    for (const [request, status, error] of cases) {
      const response = await handler(request);
      expect(response.status, error).toBe(status);
      const body = await response.json();
      expect(body.error).toBe(error);
      expect(body.message).toEqual(expect.any(String));
    }
    expect(calls).toEqual([]);
  });

  it('refuses another site, and serves listed origins with credentials (CORS)', async () => {
    const plain = setUp();
    const foreign = await plain.handler(ask({}, { user: 'u-1', headers: { origin: 'https://evil.example' } }));
    expect(foreign.status).toBe(403);
    // The shop's own page, even behind a TLS proxy (the handler sees http, the page says https).
    const own = await plain.handler(ask({}, { user: 'u-1', headers: { origin: 'https://shop.example' } }));
    expect(own.status).toBe(202);

    const { handler } = setUp({ cors: { origins: ['https://www.shop.example'] } });
    const preflight = await handler(
      ask(undefined, {
        method: 'OPTIONS',
        headers: {
          origin: 'https://www.shop.example',
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'content-type, x-csrf-token',
        },
      }),
    );
    expect(preflight.status).toBe(204);
    expect(Object.fromEntries(preflight.headers)).toMatchObject({
      'access-control-allow-origin': 'https://www.shop.example',
      'access-control-allow-credentials': 'true',
      'access-control-allow-headers': 'content-type, x-csrf-token',
      'access-control-allow-methods': 'POST, OPTIONS',
    });
    const answer = await handler(ask({}, { user: 'u-1', headers: { origin: 'https://www.shop.example' } }));
    expect(answer.status).toBe(202);
    expect(answer.headers.get('access-control-allow-origin')).toBe('https://www.shop.example');
    expect(answer.headers.get('access-control-allow-credentials')).toBe('true');
    // A 429's Retry-After must be readable by the page across origins.
    expect(answer.headers.get('access-control-expose-headers')).toBe('retry-after');
  });

  it('fails at creation with a TouchpointConfigError naming the field', () => {
    const privacy = recordingPrivacy().privacy;
    const attempts: [unknown, string][] = [
      [{ authenticate: bySessionCookie }, 'privacy'],
      [{ privacy: {}, authenticate: bySessionCookie }, 'privacy'],
      [{ privacy }, 'authenticate'],
      [{ privacy, authenticate: bySessionCookie, verifyAnonymousId: true }, 'verifyAnonymousId'],
      [{ privacy, authenticate: bySessionCookie, rateLimit: { windowMs: -1 } }, 'rateLimit.windowMs'],
      [{ privacy, authenticate: bySessionCookie, cors: { origins: ['shop.example/'] } }, 'cors.origins'],
    ];
    for (const [options, field] of attempts) {
      let thrown: unknown;
      try {
        createErasureHandler(options as ErasureHandlerOptions);
      } catch (error) {
        thrown = error;
      }
      expect(thrown, field).toBeInstanceOf(TouchpointConfigError);
      expect((thrown as TouchpointConfigError).field).toBe(field);
    }
  });
});
