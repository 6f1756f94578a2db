import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { createIdentityKeys } from '../cases/identity-key.js';
import { createErasureSubject, erasureRequest, type KeyOf, subjectOfRequest } from './subject.js';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');
const keys = createIdentityKeys({ hashKey: 'shop-key', defaultCountryCode: '84' });
const keyOf: KeyOf = (kind, value, hashed) =>
  keys(hashed ? { type: kind, value, hashed: true } : ({ [kind]: value } as { email: string })).value;

const subject = createErasureSubject({
  erasureId: 'er_test_0001',
  anonymousIds: ['anon-7'],
  userIds: ['user-1'],
  caseIds: ['case-9'],
  accounts: [{ channel: 'facebook', id: 'psid-55' }],
  keys: [`email:${keys({ email: 'lan@example.vn' }).value}`, `phone:${keys({ phone: '+84901234567' }).value}`],
  keyOf,
});

describe('ErasureSubject', () => {
  it('recognises the customer by any id, anywhere in the value', () => {
    expect(subject.matches({ type: 'page', anonymousId: 'anon-7' })).toBe(true);
    expect(subject.matches({ properties: { caseId: 'case-9' } })).toBe(true);
    expect(subject.matches({ properties: { identities: [{ channel: 'facebook', id: 'psid-55' }] } })).toBe(true);
    // A dead-letter record wraps the event.
    expect(subject.matches({ destination: 'crm', reason: 'not_retryable', event: { userId: 'user-1' } })).toBe(true);
  });

  it('finds emails and phones the graph keys, in any format and hashed by a data policy', () => {
    expect(subject.matches({ traits: { email: ' LAN@Example.vn ' } })).toBe(true);
    expect(subject.matches({ traits: { phone: '0901 234 567' } })).toBe(true);
    expect(subject.matches({ traits: { email: sha('lan@example.vn') } })).toBe(true);
    expect(subject.matches({ identities: [{ type: 'phone', value: '+84 90 123 4567' }] })).toBe(true);
  });

  it('does not take another customer for them', () => {
    expect(subject.matches({ userId: 'user-10', anonymousId: 'anon-77', traits: { email: 'lan@example.com' } })).toBe(
      false,
    );
    expect(subject.matches({ properties: { note: 'user-1 called' } })).toBe(false);
    expect(subject.matchesJson(JSON.stringify({ userId: 'user-10', properties: { phone: '0901234568' } }))).toBe(false);
  });

  it('matchesJson answers as matches does, parsing only what may match', () => {
    const events = [
      { userId: 'user-1' },
      { userId: 'user-2', traits: { email: 'LAN@example.vn' } },
      { userId: 'user-2', traits: { email: 'other@example.vn' } },
      { userId: 'user-2', page: '/x' },
      { userId: '\u0075ser-1' },
    ];
    for (const event of events) expect(subject.matchesJson(JSON.stringify(event))).toBe(subject.matches(event));
    // Another writer may escape any character: such text is parsed, never skipped.
    expect(subject.matchesJson('{"userId":"\\u0075ser-1"}')).toBe(true);
    // Needles with JSON-escaped characters are found in the text.
    const quoted = createErasureSubject({ erasureId: 'er_test_0002', userIds: ['a"b\\c'] });
    expect(quoted.matchesJson(JSON.stringify({ userId: 'a"b\\c' }))).toBe(true);
    expect(subject.matchesJson('not json user-1')).toBe(false);
  });

  it('a destination request carries ids and hashes, and the subject comes back from it', () => {
    const withRaw = createErasureSubject({
      erasureId: 'er_test_0003',
      userIds: ['user-1'],
      emails: ['Lan@Example.vn'],
      phones: ['0901 234 567'],
      defaultCountryCode: '84',
    });
    const request = erasureRequest(withRaw, new Date('2026-11-30T00:00:00Z'), ['m-1']);
    expect(request).toMatchObject({
      erasureId: 'er_test_0003',
      requestedAt: '2026-11-30T00:00:00.000Z',
      userIds: ['user-1'],
      emails: ['lan@example.vn'],
      phones: ['+84901234567'],
      hashedEmails: [sha('lan@example.vn')],
      hashedPhones: [sha('+84901234567')],
      messageIds: ['m-1'],
    });
    const again = subjectOfRequest(request);
    expect(again.matches({ traits: { email: 'lan@example.vn' } })).toBe(true);
    expect(again.matches({ properties: { phoneHash: sha('+84901234567') } })).toBe(true);
  });
});
