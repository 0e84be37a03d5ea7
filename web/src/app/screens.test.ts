import { describe, expect, it } from 'vitest';
import { screenFor, screenKey } from './screens.js';

describe('screenFor', () => {
  it('sends visitors to sign-in, unverified members to the gate, verified members home', () => {
    expect(screenFor(null)).toBe('visitor');
    expect(screenFor({ uid: 'u', emailVerified: false })).toBe('verify');
    expect(screenFor({ uid: 'u', emailVerified: true })).toBe('home');
  });
});

describe('screenKey', () => {
  it('changes when verification completes or the member changes, not otherwise', () => {
    expect(screenKey({ uid: 'u', emailVerified: false })).toBe('verify:u');
    expect(screenKey({ uid: 'u', emailVerified: true })).toBe('home:u');
    expect(screenKey({ uid: 'v', emailVerified: true })).toBe('home:v');
    expect(screenKey(null)).toBe('visitor');
  });
});
