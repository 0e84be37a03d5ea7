import { HttpsError } from 'firebase-functions/v2/https';
import { describe, expect, it } from 'vitest';
import { requireRecentSignIn, requireVerifiedMember } from './caller.js';

function codeOf(run: () => unknown): string | null {
  try {
    run();
    return null;
  } catch (error) {
    expect(error).toBeInstanceOf(HttpsError);
    return `${(error as HttpsError).code}: ${(error as HttpsError).message}`;
  }
}

describe('requireVerifiedMember', () => {
  it('refuses anonymous callers with unauthenticated', () => {
    expect(codeOf(() => requireVerifiedMember(undefined))).toBe(
      'unauthenticated: Sign in to call this function.',
    );
  });

  it('refuses a signed-in caller whose email is not verified', () => {
    expect(codeOf(() => requireVerifiedMember({ uid: 'u1', token: { email_verified: false } }))).toBe(
      'permission-denied: Verify your email address first.',
    );
  });

  it('lets a verified member through', () => {
    expect(requireVerifiedMember({ uid: 'u1', token: { email: 'a@b.c', email_verified: true } })).toEqual({
      uid: 'u1',
      email: 'a@b.c',
      emailVerified: true,
    });
  });
});

describe('requireRecentSignIn', () => {
  const now = Date.UTC(2026, 0, 1, 12, 0, 0);
  const seconds = (ms: number) => Math.floor(ms / 1000);

  it('accepts a sign-in four minutes ago', () => {
    const auth = { uid: 'u', token: { auth_time: seconds(now - 4 * 60_000) } };
    expect(codeOf(() => requireRecentSignIn(auth, 'again', now))).toBeNull();
  });

  it('refuses a sign-in six minutes ago with failed-precondition and the given message', () => {
    const auth = { uid: 'u', token: { auth_time: seconds(now - 6 * 60_000) } };
    expect(codeOf(() => requireRecentSignIn(auth, 'Sign in again to delete your account.', now))).toBe(
      'failed-precondition: Sign in again to delete your account.',
    );
  });

  it('refuses a token without auth_time or with a non-numeric one', () => {
    expect(codeOf(() => requireRecentSignIn({ uid: 'u', token: {} }, 'again', now))).toBe(
      'failed-precondition: again',
    );
    expect(codeOf(() => requireRecentSignIn({ uid: 'u', token: { auth_time: '1' } }, 'again', now))).toBe(
      'failed-precondition: again',
    );
  });
});
