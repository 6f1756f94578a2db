/** The NATS JetStream destination against a real nats-server (Debian's 2.9.10 in CI). */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as destinations from '../src/destinations/index.js';
import { createForwarder } from '../src/forwarder.js';
import { feedbackEvent, trackEvent, uuid } from './events.js';
import { findBinary, type Service, shouldRun, startService } from './services.js';

const binary = findBinary('nats-server');
const run = shouldRun(binary, 'nats-server (NATS JetStream tests need nats-server, Debian package nats-server)');

describe.skipIf(!run)('destinations.nats with a real JetStream', () => {
  let nats: Service;
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tp-nats-'));
    nats = await startService(binary, (port) => ['-js', '-a', '127.0.0.1', '-p', String(port), '-sd', dir], 'nats');
  }, 20_000);
  afterAll(async () => {
    await nats?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('publishes every event once, even when two instances send the same ones', { timeout: 30_000 }, async () => {
    const make = () =>
      createForwarder({
        destinations: [
          destinations.nats({
            servers: nats.url,
            subject: (e) => `touchpoint.${e.type}`,
            stream: { name: 'TOUCHPOINT' },
          }),
        ],
        batch: { maxEvents: 50, maxWaitMs: 10 },
      });
    const one = make();
    const two = make();
    const ids = Array.from({ length: 200 }, (_, i) => uuid(5_000_000 + i));
    for (const messageId of ids) one.enqueue(trackEvent({ messageId }));
    await one.flush();
    // A second instance receives the first hundred again (a resend it could not dedupe locally).
    for (const messageId of ids.slice(0, 100)) two.enqueue(trackEvent({ messageId }));
    two.enqueue(feedbackEvent(2));
    await two.flush();
    await Promise.all([one.close(), two.close()]);

    const nc = await connect({ servers: nats.url });
    try {
      const jsm = await jetstreamManager(nc);
      const info = await jsm.streams.info('TOUCHPOINT');
      expect(info.state.messages).toBe(201);
      const first = await jsm.streams.getMessage('TOUCHPOINT', { seq: 1 });
      expect(first?.subject).toBe('touchpoint.track');
      expect(first?.json<{ messageId: string }>().messageId).toBe(ids[0]);
      const last = await jsm.streams.getMessage('TOUCHPOINT', { seq: 201 });
      expect(last?.subject).toBe('touchpoint.feedback');
    } finally {
      await nc.close();
    }
  });

  it('retries while the server is unreachable and reports it', async () => {
    const errors: string[] = [];
    const forwarder = createForwarder({
      destinations: [
        destinations.nats({ servers: 'nats://127.0.0.1:1', connection: { reconnect: false, timeout: 200 } }),
      ],
      retry: { maxAttempts: 2, baseMs: 1, maxMs: 2 },
      onError: (e) => errors.push(e.message),
      onDrop: () => {},
    });
    forwarder.enqueue(trackEvent());
    await forwarder.flush();
    expect(errors.length).toBe(2);
    expect(forwarder.stats().destinations[0]!.gaveUp).toBe(1);
  });
});
