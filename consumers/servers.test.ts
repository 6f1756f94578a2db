/**
 * The ingest inside the servers shops run, from the packed tarballs: Hono on @hono/node-server (the
 * Fetch handler as is) and Express 5 (through toNodeHandler). Each app is compiled by tsc under
 * NodeNext (the Hono app skips lib checks, as Hono's Node template does: its .d.ts name DOM WebSocket
 * types), started as its own process, and must deliver a posted batch with the client's IP, and
 * refuse a wrong write key.
 */
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sink, startSink } from '../packages/node/test/loopback-sink.js';
import { freePort } from '../packages/node/test/services.js';
import {
  type AppServer,
  batchOf,
  delivered,
  post,
  prepareApp,
  skipWithoutFrameworks,
  startServer,
  typecheck,
} from './consumer-app.js';

const servers = [
  { name: 'hono', title: 'Hono on @hono/node-server', frameworks: ['hono', '@hono/node-server'] },
  { name: 'express', title: 'Express 5 with toNodeHandler', frameworks: ['express', '@types/express'] },
];

for (const { name, title, frameworks } of servers) {
  describe.skipIf(skipWithoutFrameworks(`the ${title} consumer app`, frameworks))(
    `${title}, from the packed tarballs`,
    () => {
      let sink: Sink;
      let app: AppServer;
      const writeKey = `pk_test_${name}`;

      beforeAll(async () => {
        sink = await startSink();
        const dir = prepareApp(name, frameworks);
        await typecheck(dir, []);
        const port = await freePort();
        app = await startServer(process.execPath, [join(dir, 'dist', 'server.js')], {
          cwd: dir,
          env: { SINK_URL: sink.url, PORT: String(port) },
          url: `http://127.0.0.1:${port}/`,
        });
      });

      afterAll(async () => {
        await app?.stop();
        await sink?.close();
      });

      it('delivers a posted batch, stamped with the client IP', async () => {
        const sent = batchOf(name, 3);
        const answer = await post(new URL('/api/touchpoints', app.url).href, sent, writeKey);
        expect(answer).toMatchObject({ status: 200, body: { accepted: 3, rejected: [], duplicates: 0 } });
        const events = await delivered(sink, 3);
        expect(events.map((e) => e.messageId)).toEqual(sent.batch.map((e) => e.messageId));
        expect(events[0]).toMatchObject({
          properties: { app: name },
          context: { ip: expect.stringMatching(/127\.0\.0\.1/) },
        });
      });

      it('refuses a wrong write key with 401 and delivers nothing', async () => {
        const answer = await post(new URL('/api/touchpoints', app.url).href, batchOf(name, 1), 'pk_wrong');
        expect(answer).toMatchObject({ status: 401, body: { error: 'invalid_write_key' } });
        expect(sink.delivered).toHaveLength(3);
      });
    },
  );
}
