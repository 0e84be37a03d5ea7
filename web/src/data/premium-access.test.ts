import { describe, expect, it } from 'vitest';
import { describeAccess, formatDay, premiumAccess } from './premium-access.js';

const NOW = 1_790_000_000; // 2026-09-21

describe('premiumAccess', () => {
  it('reads no claim as locked', () => {
    expect(premiumAccess({}, NOW)).toEqual({ active: false, until: null, expired: false });
    expect(premiumAccess({ premium: 'yes' }, NOW)).toEqual({ active: false, until: null, expired: false });
  });

  it('reads premium without an end as active forever', () => {
    expect(premiumAccess({ premium: true }, NOW)).toEqual({ active: true, until: null, expired: false });
  });

  it('compares premiumUntil (seconds) with now', () => {
    expect(premiumAccess({ premium: true, premiumUntil: NOW + 1 }, NOW)).toEqual({
      active: true,
      until: NOW + 1,
      expired: false,
    });
    expect(premiumAccess({ premium: true, premiumUntil: NOW }, NOW)).toEqual({
      active: false,
      until: NOW,
      expired: true,
    });
  });
});

describe('describeAccess', () => {
  it('tells the member where they stand', () => {
    expect(describeAccess({ active: true, until: null, expired: false })).toBe('You have premium access.');
    expect(describeAccess({ active: true, until: Date.UTC(2026, 11, 24) / 1000, expired: false })).toBe(
      'You have premium access until 2026-12-24.',
    );
    expect(describeAccess({ active: false, until: Date.UTC(2026, 0, 2) / 1000, expired: true })).toBe(
      'Your premium access ended on 2026-01-02. Redeem a code to unlock premium items again.',
    );
    expect(describeAccess({ active: false, until: null, expired: false })).toBe(
      'Premium items are locked. Redeem an access code to unlock them.',
    );
  });

  it('formats epoch seconds as an ISO day', () => {
    expect(formatDay(0)).toBe('1970-01-01');
  });
});
