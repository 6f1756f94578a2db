import { describe, expect, it } from 'vitest';
import { memoryLog } from './memory-log.js';

const limits = { maxEvents: 100, maxBytes: 1 << 20, waitMs: 0 };

describe('memoryLog', () => {
  it('says it is not durable, and gives each reader every event once it is appended', async () => {
    const log = memoryLog();
    expect(log.durable).toBe(false);
    const a = await log.reader('a');
    const b = await log.reader('b');
    await log.append(['{"n":1}', '{"n":2}']);
    expect((await a.next(limits)).map((m) => m.json)).toEqual(['{"n":1}', '{"n":2}']);
    expect((await b.next(limits)).map((m) => m.seq)).toEqual([0, 1]);
  });

  it('wakes a waiting reader on append instead of making it poll', async () => {
    const log = memoryLog();
    const reader = await log.reader('a');
    const waiting = reader.next({ ...limits, waitMs: 60_000 });
    await log.append(['{"n":1}']);
    expect((await waiting).map((m) => m.json)).toEqual(['{"n":1}']);
  });

  it('frees memory only once every reader acked, and refuses past maxBytes', async () => {
    const log = memoryLog({ maxBytes: 20 });
    const a = await log.reader('a');
    const b = await log.reader('b');
    expect(await log.append(['{"n":1}', '{"n":2}'])).toEqual({ ok: true });
    expect(await log.append(['{"n":3}'])).toMatchObject({ ok: false, reason: 'full' });
    await a.ack(await a.next(limits));
    expect(log.hasRoom(7)).toBe(false);
    await b.ack(await b.next(limits));
    expect(log.stats().bytes).toBe(0);
    expect(await log.append(['{"n":3}'])).toEqual({ ok: true });
  });

  it('lists what some reader has not acked, and answers `closed` after close()', async () => {
    const log = memoryLog();
    const a = await log.reader('a');
    await log.append(['{"n":1}', '{"n":2}']);
    await a.ack((await a.next(limits)).slice(0, 1));
    expect((await log.list({ max: 10 })).map((m) => m.json)).toEqual(['{"n":2}']);
    await log.close();
    expect(await log.append(['{"n":3}'])).toMatchObject({ ok: false, reason: 'closed' });
  });
});
