import { describe, expect, it } from 'vitest';
import { checkCode, mayFinish } from './redemption.js';

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

describe('mayFinish', () => {
  const redeemed = { expiresAtMs: NOW - 1000, premiumDays: 30, redeemedBy: 'u1', claimsApplied: false };

  it('lets the member who redeemed a code finish it while its claims were never set, even after it expired', () => {
    expect(mayFinish(redeemed, 'u1')).toBe(true);
  });

  it('never once the claims were applied, nor for codes redeemed before that was recorded', () => {
    expect(mayFinish({ ...redeemed, claimsApplied: true }, 'u1')).toBe(false);
    const { claimsApplied: _unrecorded, ...older } = redeemed;
    expect(mayFinish(older, 'u1')).toBe(false);
  });

  it('never for anyone else or an unredeemed code', () => {
    expect(mayFinish(redeemed, 'u2')).toBe(false);
    expect(mayFinish({ ...redeemed, redeemedBy: null }, 'u1')).toBe(false);
    expect(mayFinish(undefined, 'u1')).toBe(false);
  });
});
