import { describe, expect, it } from 'vitest';
import { messageIdOf } from './message-id.js';

describe('messageIdOf', () => {
  it('finds the event’s own messageId wherever it stands', () => {
    expect(messageIdOf('{"messageId":"a1","type":"track"}')).toBe('a1');
    expect(messageIdOf('{"type":"track","timestamp":"t","messageId":"b2"}')).toBe('b2');
    expect(messageIdOf(JSON.stringify({ type: 'track', properties: { sku: 's' }, messageId: 'c3' }))).toBe('c3');
  });

  it('ignores a messageId nested in properties or inside a string', () => {
    const nested = JSON.stringify({ properties: { messageId: 'fake', list: [{ messageId: 'x' }] }, messageId: 'real' });
    expect(messageIdOf(nested)).toBe('real');
    expect(messageIdOf(JSON.stringify({ note: '"messageId":"fake"', messageId: 'real' }))).toBe('real');
    expect(messageIdOf(JSON.stringify({ properties: { messageId: 'fake' } }))).toBeUndefined();
  });

  it('sends no id rather than a wrong one', () => {
    expect(messageIdOf('{"type":"track"}')).toBeUndefined();
    expect(messageIdOf(JSON.stringify({ messageId: 'a"b' }))).toBeUndefined();
    expect(messageIdOf('{"messageId":""}')).toBeUndefined();
  });
});
