import { hashIdentity, type IdentifyEvent, sha256Hex } from '@touchpoint/core';
import { describe, expect, it } from 'vitest';
import { applyDataPolicy } from './data-policy.js';

const event: IdentifyEvent = {
  type: 'identify',
  messageId: '00000000-0000-4000-8000-000000000001',
  timestamp: '2026-11-22T10:00:00.000Z',
  anonymousId: 'a',
  userId: 'u',
  traits: { email: 'Ana@Example.COM', phone: '0049 30 1234567', address: { city: 'Hanoi' }, plan: 'gold' },
  identities: [{ type: 'email', value: 'ana@example.com' }],
  context: { ip: '198.51.100.4', locale: 'de-DE' },
};

describe('applyDataPolicy', () => {
  it('drops and hashes (after normalising) without touching the original', async () => {
    const out = (await applyDataPolicy(event, {
      drop: ['context.ip', 'traits.missing.x'],
      hash: ['traits.email', 'traits.phone', 'traits.address', 'identities'],
    })) as IdentifyEvent;
    expect(out.context).toEqual({ locale: 'de-DE' });
    expect(out.traits!.email).toBe(await sha256Hex('ana@example.com'));
    expect(out.traits!.phone).toBe(await sha256Hex('+49301234567'));
    expect(out.traits!.address).toBe(await sha256Hex('{"city":"Hanoi"}'));
    expect(out.traits!.plan).toBe('gold');
    expect(out.identities).toEqual([await hashIdentity({ type: 'email', value: 'ana@example.com' })]);
    expect(event.traits!.email).toBe('Ana@Example.COM');
    expect(event.context!.ip).toBe('198.51.100.4');
  });

  it('returns the same event when the policy is empty', async () => {
    expect(await applyDataPolicy(event, {})).toBe(event);
  });
});
