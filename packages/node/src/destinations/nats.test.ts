/** The nats destination's erasure message against a real nats-server with JetStream. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { trackEvent } from '../../test/events.js';
import { findBinary, type Service, shouldRun, startService } from '../../test/services.js';
import { createErasureSubject, erasureRequest } from '../privacy/subject.js';
import { nats } from './nats.js';
import { generateWebhookSecret, verifyWebhook } from './webhook-signature.js';

const binary = findBinary('nats-server');
const run = shouldRun(binary, 'nats-server (NATS JetStream tests need nats-server, Debian package nats-server)');

const request = () =>
  erasureRequest(
    createErasureSubject({
      erasureId: 'er_nats',
      userIds: ['u-1'],
      emails: ['a@example.vn'],
      anonymousIds: ['anon-1'],
    }),
    new Date('2026-11-30T00:00:00.000Z'),
    ['m-1'],
  );

describe.skipIf(!run)('destinations.nats erasure with a real JetStream', () => {
  let server: Service;
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tp-nats-erase-'));
    server = await startService(binary, (port) => ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', dir], 'nats');
  }, 20_000);
  afterAll(async () => {
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('publishes one signed identity.erased message on the erasure subject of the stream it creates', async () => {
    const secret = generateWebhookSecret();
    const destination = nats({
      servers: server.url,
      subject: 'shop.events',
      stream: { name: 'SHOP' },
      erase: { subject: 'shop.erasures', secret },
    });
    await destination.send([trackEvent({ userId: 'u-1' })]);
    await destination.erase!(request());
    await destination.erase!(request()); // a retry: JetStream drops it as a duplicate of the same erasure
    await destination.close?.();

    const nc = await connect({ servers: server.url });
    try {
      const jsm = await jetstreamManager(nc);
      const info = await jsm.streams.info('SHOP');
      expect(info.config.subjects).toEqual(['shop.events', 'shop.erasures']);
      expect(info.state.messages).toBe(2);
      const message = await jsm.streams.getMessage('SHOP', { last_by_subj: 'shop.erasures' });
      const body = message!.string();
      expect(JSON.parse(body)).toMatchObject({
        type: 'identity.erased',
        erasureId: 'er_nats',
        userIds: ['u-1'],
        anonymousIds: ['anon-1'],
        messageIds: ['m-1'],
      });
      expect(body).not.toContain('a@example.vn');
      const headers: Record<string, string> = {};
      for (const key of message!.header.keys()) headers[key.toLowerCase()] = message!.header.get(key);
      expect(headers['webhook-id']).toBe('er_nats');
      expect(verifyWebhook({ body, headers, secret })).toMatchObject({ ok: true, id: 'er_nats' });
    } finally {
      await nc.close();
    }
  });

  it('fails the attempt (retried, then recorded) when no stream holds the erasure subject', async () => {
    const destination = nats({ servers: server.url, erase: { subject: 'nowhere.erasures' } });
    await expect(destination.erase!(request())).rejects.toThrow();
    await destination.close?.();
  });

  it('has no erase with erase: false, and checks the erase options at creation', () => {
    expect(nats({ servers: 'nats://127.0.0.1:1', erase: false }).erase).toBeUndefined();
    expect(() => nats({ servers: 'nats://127.0.0.1:1', erase: { subject: 'a.*' } })).toThrow(/nats\.erase\.subject/);
    expect(() => nats({ servers: 'nats://127.0.0.1:1', erase: { secret: 'short' } })).toThrow(/nats\.erase\.secret/);
  });
});
