import { appendFile, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { trackEvent } from '../../test/events.js';
import { jsonl } from './jsonl.js';

describe('jsonl destination', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tp-jsonl-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });
  const lines = async (path: string) => (await readFile(path, 'utf8')).split('\n').filter(Boolean);

  it('appends one event per line, across destinations reopening the file', async () => {
    const path = join(dir, 'nested', 'events.jsonl');
    for (const fsync of [true, false]) {
      const destination = jsonl({ path, fsync });
      await destination.send([trackEvent(), trackEvent(), trackEvent()]);
      await destination.send([trackEvent(), trackEvent()]);
      await destination.close?.();
    }
    const written = await lines(path);
    expect(written).toHaveLength(10);
    expect(new Set(written.map((l) => JSON.parse(l).messageId)).size).toBe(10);
  });

  it('writes the log JSON as it is through sendSerialized', async () => {
    const path = join(dir, 'events.jsonl');
    const destination = jsonl({ path });
    const jsons = [trackEvent(), trackEvent()].map((e) => JSON.stringify(e));
    await destination.sendSerialized?.(jsons);
    await destination.sendSerialized?.([]);
    await destination.close?.();
    expect(await readFile(path, 'utf8')).toBe(`${jsons.join('\n')}\n`);
  });

  it('keeps every line whole when batches are sent at once', async () => {
    const path = join(dir, 'events.jsonl');
    const destination = jsonl({ path });
    const batches = Array.from({ length: 8 }, () => Array.from({ length: 50 }, () => trackEvent()));
    await Promise.all(batches.map((batch) => destination.send(batch)));
    await destination.close?.();
    const written = await lines(path);
    expect(written).toHaveLength(400);
    for (const line of written) expect(() => JSON.parse(line)).not.toThrow();
  });

  it('cuts off a torn last line (a crash in the middle of a write) before appending', async () => {
    const path = join(dir, 'events.jsonl');
    const kept = trackEvent();
    await appendFile(path, `${JSON.stringify(kept)}\n{"type":"track","messageId":"torn`);
    const destination = jsonl({ path });
    const next = trackEvent();
    await destination.send([next]);
    await destination.close?.();
    expect((await lines(path)).map((l) => JSON.parse(l).messageId)).toEqual([kept.messageId, next.messageId]);
  });

  it('undoes a write whose attempt was aborted, so its retry writes the lines once', async () => {
    const path = join(dir, 'events.jsonl');
    const destination = jsonl({ path });
    const first = trackEvent();
    await destination.send([first]);
    const controller = new AbortController();
    controller.abort(new Error('delivery to jsonl timed out after 15000 ms'));
    const batch = [trackEvent(), trackEvent()];
    await expect(destination.send(batch, controller.signal)).rejects.toThrow(
      /jsonl .*attempt aborted; 2 events not written/,
    );
    await destination.send(batch);
    await destination.close?.();
    expect((await lines(path)).map((l) => JSON.parse(l).messageId)).toEqual([first, ...batch].map((e) => e.messageId));
  });

  it('rejects a bad configuration with the field named', () => {
    expect(() => jsonl({ path: '' })).toThrow(/jsonl\.path/);
    expect(() => jsonl({ path: 'x.jsonl', fsync: 'yes' as unknown as boolean })).toThrow(/jsonl\.fsync/);
  });
});
