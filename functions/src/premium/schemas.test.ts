import { describe, expect, it } from 'vitest';
import {
  createAccessCodesInput,
  grantPremiumInput,
  redeemAccessCodeInput,
  revokePremiumInput,
} from './schemas.js';

function messages(result: { success: boolean; error?: { issues: Array<{ message: string }> } }): string[] {
  return result.success ? [] : (result.error?.issues.map((i) => i.message) ?? []);
}

describe('redeemAccessCodeInput', () => {
  it('normalizes what the member typed', () => {
    expect(redeemAccessCodeInput.parse({ code: ' abcd-efgh-jk2m ' })).toEqual({ code: 'ABCDEFGHJK2M' });
  });

  it('refuses missing, empty, malformed and extra input with readable messages', () => {
    expect(messages(redeemAccessCodeInput.safeParse({}))).toEqual(['Enter an access code.']);
    expect(messages(redeemAccessCodeInput.safeParse({ code: ' - ' }))).toEqual([
      'Enter an access code.',
      'That does not look like an access code.',
    ]);
    expect(messages(redeemAccessCodeInput.safeParse({ code: 'ab$cd!efgh' }))).toEqual([
      'That does not look like an access code.',
    ]);
    expect(messages(redeemAccessCodeInput.safeParse({ code: 'x'.repeat(65) }))).toEqual([
      'That does not look like an access code.',
    ]);
    expect(redeemAccessCodeInput.safeParse({ code: 'ABCDEFGH', admin: true }).success).toBe(false);
    expect(redeemAccessCodeInput.safeParse(null).success).toBe(false);
  });
});

describe('grantPremiumInput / revokePremiumInput', () => {
  it('accepts a username or email, trims it, and defaults to no end date', () => {
    expect(grantPremiumInput.parse({ member: ' alice ' })).toEqual({ member: 'alice', days: null });
    expect(grantPremiumInput.parse({ member: 'a@b.co', days: 30 })).toEqual({ member: 'a@b.co', days: 30 });
    expect(revokePremiumInput.parse({ member: 'alice' })).toEqual({ member: 'alice' });
  });

  it('refuses fractional, zero and huge periods', () => {
    expect(messages(grantPremiumInput.safeParse({ member: 'alice', days: 1.5 }))).toEqual([
      'Duration must be a whole number of days.',
    ]);
    expect(messages(grantPremiumInput.safeParse({ member: 'alice', days: 0 }))).toEqual([
      'Duration must be at least 1 day.',
    ]);
    expect(messages(grantPremiumInput.safeParse({ member: 'alice', days: 4000 }))).toEqual([
      'Duration can be at most 3650 days.',
    ]);
    expect(messages(revokePremiumInput.safeParse({ member: 'al' }))).toEqual([
      'Enter a username or an email address.',
    ]);
  });
});

describe('createAccessCodesInput', () => {
  it('accepts a batch with and without a premium period', () => {
    expect(createAccessCodesInput.parse({ count: 3, validDays: 30, premiumDays: 90 })).toEqual({
      count: 3,
      validDays: 30,
      premiumDays: 90,
    });
    expect(createAccessCodesInput.parse({ count: 1, validDays: 1 })).toEqual({
      count: 1,
      validDays: 1,
      premiumDays: null,
    });
  });

  it('bounds the count and the validity', () => {
    expect(messages(createAccessCodesInput.safeParse({ count: 0, validDays: 1 }))).toEqual([
      'Create at least 1 code.',
    ]);
    expect(messages(createAccessCodesInput.safeParse({ count: 101, validDays: 1 }))).toEqual([
      'Create at most 100 codes at a time.',
    ]);
    expect(messages(createAccessCodesInput.safeParse({ count: 1, validDays: 366 }))).toEqual([
      'Validity can be at most 365 days.',
    ]);
    expect(messages(createAccessCodesInput.safeParse({ count: '5', validDays: 1 }))).toEqual([
      'Count must be a number.',
    ]);
  });
});
