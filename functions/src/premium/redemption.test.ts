import { describe, expect, it } from 'vitest';
import { checkCode, earlierGrant } from './redemption.js';

const NOW = Date.UTC(2026, 5, 1, 12);

describe('checkCode', () => {
  it('refuses an unknown code with not-found', () => {
    expect(checkCode(undefined, NOW)).toEqual({
      ok: false,
      code: 'not-found',
      message: 'That code does not exist. Check it and try again.',
    });
  });

  it('refuses a used code with failed-precondition', () => {
    expect(checkCode({ expiresAtMs: NOW + 1000, premiumDays: 30, redeemedBy: 'u1' }, NOW)).toEqual({
      ok: false,
      code: 'failed-precondition',
      message: 'That code has already been used.',
    });
  });

  it('refuses an expired code and says when it expired', () => {
    expect(checkCode({ expiresAtMs: Date.UTC(2026, 4, 31), premiumDays: 30, redeemedBy: null }, NOW)).toEqual(
      {
        ok: false,
        code: 'failed-precondition',
        message: 'That code expired on 2026-05-31.',
      },
    );
    expect(checkCode({ expiresAtMs: NOW, premiumDays: 30, redeemedBy: null }, NOW).ok).toBe(false);
  });

  it('accepts a fresh code and passes on its period', () => {
    expect(checkCode({ expiresAtMs: NOW + 1, premiumDays: 30, redeemedBy: null }, NOW)).toEqual({
      ok: true,
      premiumDays: 30,
    });
    expect(checkCode({ expiresAtMs: NOW + 1, premiumDays: null, redeemedBy: null }, NOW)).toEqual({
      ok: true,
      premiumDays: null,
    });
  });
});

describe('earlierGrant', () => {
  const redeemed = {
    expiresAtMs: NOW - 1000,
    premiumDays: 30,
    redeemedBy: 'u1',
    grantedUntil: 1_790_000_000,
  };

  it('hands the member who redeemed a code its recorded grant, even after the code expired', () => {
    expect(earlierGrant(redeemed, 'u1')).toBe(1_790_000_000);
    expect(earlierGrant({ ...redeemed, grantedUntil: null }, 'u1')).toBeNull();
  });

  it('gives nothing to anyone else, for an unredeemed code, or where no grant was recorded', () => {
    expect(earlierGrant(redeemed, 'u2')).toBeUndefined();
    expect(earlierGrant({ ...redeemed, redeemedBy: null }, 'u1')).toBeUndefined();
    expect(earlierGrant(undefined, 'u1')).toBeUndefined();
    const { grantedUntil: _unrecorded, ...older } = redeemed;
    expect(earlierGrant(older, 'u1')).toBeUndefined();
  });
});
