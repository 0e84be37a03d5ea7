import { HttpsError } from 'firebase-functions/v2/https';
import { type Caller, type CallerAuth, requireVerifiedMember } from '../auth/caller.js';

/** True when the ID token was minted by a sign-in that passed a second factor. */
export function signedInWithSecondFactor(token: Record<string, unknown>): boolean {
  const firebase = token.firebase;
  if (!firebase || typeof firebase !== 'object') return false;
  const factor = (firebase as Record<string, unknown>).sign_in_second_factor;
  return factor !== undefined && factor !== null;
}

/**
 * Staff powers need the staff claim AND a second factor in this session (DESIGN §2), the same
 * test firestore.rules and storage.rules make, so a stolen password alone grants nothing.
 */
export function requireStaff(auth: CallerAuth | undefined): Caller {
  const caller = requireVerifiedMember(auth);
  if (auth?.token.staff !== true) throw new HttpsError('permission-denied', 'Only staff can do that.');
  if (!signedInWithSecondFactor(auth.token)) {
    throw new HttpsError('permission-denied', 'Sign in with your second factor to use staff tools.');
  }
  return caller;
}
