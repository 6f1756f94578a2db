import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { trackEvent } from '../../test/events.js';
import { createForwarder } from '../forwarder.js';
import { jsonl } from './jsonl.js';

describe('jsonl destination', () => {
  it('appends one event per line, across forwarders', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'tp-jsonl-'));
    const path = join(dir, 'nested', 'events.jsonl');
    try {
      for (let round = 0; round < 2; round++) {
        const forwarder = createForwarder({ destinations: [jsonl({ path })], batch: { maxEvents: 3 } });
        for (let i = 0; i < 5; i++) forwarder.enqueue(trackEvent());
        await forwarder.close();
      }
      const lines = (await readFile(path, 'utf8')).split('\n').filter(Boolean);
      expect(lines).toHaveLength(10);
      expect(new Set(lines.map((l) => JSON.parse(l).messageId)).size).toBe(10);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
