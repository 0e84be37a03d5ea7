import { describe, expect, it } from 'vitest';
import { DAY_SECONDS, extendPremium } from './period.js';

const NOW = 1_790_000_000;

describe('extendPremium', () => {
  it('counts from now for a member without premium', () => {
    expect(extendPremium(undefined, NOW, 30)).toBe(NOW + 30 * DAY_SECONDS);
  });

  it('adds to the remaining time, never shortening it', () => {
    expect(extendPremium(NOW + 100, NOW, 1)).toBe(NOW + 100 + DAY_SECONDS);
  });

  it('counts from now when the previous period has ended', () => {
    expect(extendPremium(NOW - 5, NOW, 2)).toBe(NOW + 2 * DAY_SECONDS);
  });

  it('grants no end date for an unlimited grant or keeps an existing unlimited one', () => {
    expect(extendPremium(NOW + 100, NOW, null)).toBeNull();
    expect(extendPremium(null, NOW, 30)).toBeNull();
  });
});
