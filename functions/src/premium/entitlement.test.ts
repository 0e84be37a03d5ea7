import { describe, expect, it } from 'vitest';
import { entitlementUntil, startingUntil, toEntitlement } from './entitlement.js';

const NOW = 1_800_000_000;

describe('entitlementUntil', () => {
  it('is the end of an active entitlement, null without an end', () => {
    expect(entitlementUntil({ active: true, until: NOW + 60, source: 'code' }, NOW)).toBe(NOW + 60);
    expect(entitlementUntil({ active: true, until: null, source: 'staff' }, NOW)).toBeNull();
  });

  it('is undefined once revoked or run out', () => {
    expect(entitlementUntil({ active: false, until: null, source: 'staff' }, NOW)).toBeUndefined();
    expect(entitlementUntil({ active: true, until: NOW, source: 'code' }, NOW)).toBeUndefined();
  });
});

describe('startingUntil', () => {
  it('follows the record over the claims: a revoke is not undone by claims the member still has', () => {
    const revoked = { active: false, until: null, source: 'staff' as const };
    expect(startingUntil(revoked, { premium: true }, NOW)).toBeUndefined();
  });

  it('falls back to the claims only where no record was ever written', () => {
    expect(startingUntil(undefined, { premium: true, premiumUntil: NOW + 5 }, NOW)).toBe(NOW + 5);
    expect(startingUntil(undefined, {}, NOW)).toBeUndefined();
  });
});

describe('toEntitlement', () => {
  it('reads a stored record and refuses a shapeless one', () => {
    expect(toEntitlement({ active: true, until: 5, source: 'staff' })).toEqual({
      active: true,
      until: 5,
      source: 'staff',
    });
    expect(toEntitlement({ until: 5 })).toBeUndefined();
    expect(toEntitlement(undefined)).toBeUndefined();
  });
});
