import { describe, expect, it } from 'vitest';
import { createMessageId, isMessageId } from './event.js';
import { utf8Length } from './limits.js';

describe('utf8Length', () => {
  it('matches TextEncoder for ASCII, accents, CJK, emoji and lone surrogates', () => {
    const samples = ['', 'hello', 'Tiếng Việt', '日本語のテキスト', 'emoji 👍🏽 mix', '\ud800 lone', 'end \udfff'];
    for (const s of samples) expect(utf8Length(s), s).toBe(new TextEncoder().encode(s).length);
  });
});

describe('createMessageId', () => {
  it('returns distinct UUID v4 strings', () => {
    const ids = new Set(Array.from({ length: 1000 }, createMessageId));
    expect(ids.size).toBe(1000);
    for (const id of ids) {
      expect(isMessageId(id)).toBe(true);
      expect(id[14]).toBe('4');
    }
  });
  it('falls back to getRandomValues where randomUUID is missing (plain-http pages)', () => {
    const original = globalThis.crypto.randomUUID;
    Object.defineProperty(globalThis.crypto, 'randomUUID', { value: undefined, configurable: true });
    try {
      const id = createMessageId();
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    } finally {
      Object.defineProperty(globalThis.crypto, 'randomUUID', { value: original, configurable: true });
    }
  });
});
