import { HttpsError } from 'firebase-functions/v2/https';
import { describe, expect, it } from 'vitest';
import { requireCaller } from './caller.js';

describe('requireCaller', () => {
  it('refuses a call without auth with unauthenticated', () => {
    let caught: unknown;
    try {
      requireCaller(undefined);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(HttpsError);
    expect((caught as HttpsError).code).toBe('unauthenticated');
  });

  it('reads uid, email and verified state from the token', () => {
    const caller = requireCaller({ uid: 'u1', token: { email: 'a@example.com', email_verified: true } });
    expect(caller).toEqual({ uid: 'u1', email: 'a@example.com', emailVerified: true });
  });

  it('treats a missing or non-boolean email_verified as unverified', () => {
    expect(requireCaller({ uid: 'u2', token: {} }).emailVerified).toBe(false);
    expect(requireCaller({ uid: 'u3', token: { email_verified: 'true' } }).emailVerified).toBe(false);
    expect(requireCaller({ uid: 'u3', token: {} }).email).toBeNull();
  });
});
