import { HttpsError } from 'firebase-functions/v2/https';
import { describe, expect, it } from 'vitest';
import { requireStaff, signedInWithSecondFactor } from './require-staff.js';

function outcome(run: () => unknown): string {
  try {
    run();
    return 'allowed';
  } catch (error) {
    expect(error).toBeInstanceOf(HttpsError);
    return `${(error as HttpsError).code}: ${(error as HttpsError).message}`;
  }
}

const MFA = { sign_in_provider: 'password', sign_in_second_factor: 'phone' };

describe('requireStaff', () => {
  it('lets verified staff with a second factor through', () => {
    const auth = { uid: 's', token: { email_verified: true, staff: true, firebase: MFA } };
    expect(outcome(() => requireStaff(auth))).toBe('allowed');
  });

  it('refuses staff signed in with a password only', () => {
    const auth = {
      uid: 's',
      token: { email_verified: true, staff: true, firebase: { sign_in_provider: 'password' } },
    };
    expect(outcome(() => requireStaff(auth))).toBe(
      'permission-denied: Sign in with your second factor to use staff tools.',
    );
  });

  it('refuses members, truthy-but-not-true staff flags, unverified and anonymous callers', () => {
    const member = { uid: 'm', token: { email_verified: true, firebase: MFA } };
    expect(outcome(() => requireStaff(member))).toBe('permission-denied: Only staff can do that.');
    const stringy = { uid: 'm', token: { email_verified: true, staff: 'true', firebase: MFA } };
    expect(outcome(() => requireStaff(stringy))).toBe('permission-denied: Only staff can do that.');
    const unverified = { uid: 's', token: { email_verified: false, staff: true, firebase: MFA } };
    expect(outcome(() => requireStaff(unverified))).toBe(
      'permission-denied: Verify your email address first.',
    );
    expect(outcome(() => requireStaff(undefined))).toBe('unauthenticated: Sign in to call this function.');
  });

  it('reads the second factor from the firebase claim only', () => {
    expect(signedInWithSecondFactor({ firebase: { sign_in_second_factor: null } })).toBe(false);
    expect(signedInWithSecondFactor({ sign_in_second_factor: 'phone' })).toBe(false);
    expect(signedInWithSecondFactor({ firebase: 'phone' })).toBe(false);
    expect(signedInWithSecondFactor({ firebase: { sign_in_second_factor: 'phone' } })).toBe(true);
  });
});
