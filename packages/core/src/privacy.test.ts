import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hashIdentity, normalizeEmail, normalizePhone, sha256Hex } from './privacy.js';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

describe('identity hashing', () => {
  it('normalises emails and phones before hashing, so the same customer joins across systems', async () => {
    expect(normalizeEmail('  Ana.Silva@Example.COM ')).toBe('ana.silva@example.com');
    expect(normalizePhone('+49 (30) 1234-567')).toBe('+49301234567');
    expect(normalizePhone('0049 30 1234567')).toBe('+49301234567');
    expect(normalizePhone('0912 345 678', '84')).toBe('+84912345678');
    const a = await hashIdentity({ type: 'email', value: ' Ana@Example.com' });
    const b = await hashIdentity({ type: 'email', value: 'ana@example.com ' });
    expect(a).toEqual({ type: 'email', value: sha('ana@example.com'), hashed: true });
    expect(b.value).toBe(a.value);
    const phone = await hashIdentity({ type: 'phone', value: '0912 345 678' }, { defaultCountryCode: '84' });
    expect(phone.value).toBe(sha('+84912345678'));
  });
  it('keeps the provider of platform accounts and does not hash twice', async () => {
    const acct = await hashIdentity({ type: 'account', value: ' cust-42 ', provider: 'amazon' });
    expect(acct).toEqual({ type: 'account', value: sha('cust-42'), hashed: true, provider: 'amazon' });
    expect(await hashIdentity(acct)).toBe(acct);
  });
  it('sha256Hex matches node:crypto for unicode', async () => {
    expect(await sha256Hex('Nguyễn Văn A')).toBe(sha('Nguyễn Văn A'));
  });
});
