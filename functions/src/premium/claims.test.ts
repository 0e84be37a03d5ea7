import { describe, expect, it } from 'vitest';
import { currentUntil, premiumActive, withoutPremium, withPremium } from './claims.js';

describe('premium claims', () => {
  it('adds premium and keeps every other claim', () => {
    expect(withPremium({ staff: true }, 1_800_000_000)).toEqual({
      staff: true,
      premium: true,
      premiumUntil: 1_800_000_000,
    });
  });

  it('drops an old end date when premium becomes unlimited', () => {
    expect(withPremium({ staff: true, premium: true, premiumUntil: 5 }, null)).toEqual({
      staff: true,
      premium: true,
    });
  });

  it('starts from nothing when the member has no claims yet', () => {
    expect(withPremium(undefined, null)).toEqual({ premium: true });
  });

  it('removes premium and its end date, keeping staff', () => {
    expect(withoutPremium({ staff: true, premium: true, premiumUntil: 9 })).toEqual({ staff: true });
    expect(withoutPremium(undefined)).toEqual({});
  });

  it('treats a past or present end as expired, a future one as active', () => {
    expect(premiumActive({ premium: true, premiumUntil: 100 }, 99)).toBe(true);
    expect(premiumActive({ premium: true, premiumUntil: 100 }, 100)).toBe(false);
    expect(premiumActive({ premium: true }, 100)).toBe(true);
    expect(premiumActive({ premium: 'true' }, 1)).toBe(false);
    expect(premiumActive({ premium: true, premiumUntil: '200' }, 1)).toBe(false);
    expect(premiumActive(undefined, 1)).toBe(false);
  });

  it('reports the current end: a number, null for none, undefined when not premium', () => {
    expect(currentUntil({ premium: true, premiumUntil: 500 }, 100)).toBe(500);
    expect(currentUntil({ premium: true }, 100)).toBeNull();
    expect(currentUntil({ premium: true, premiumUntil: 50 }, 100)).toBeUndefined();
    expect(currentUntil({}, 100)).toBeUndefined();
  });
});
