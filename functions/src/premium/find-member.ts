import { HttpsError } from 'firebase-functions/v2/https';
import { adminAuth, db } from '../admin.js';

export interface FoundMember {
  uid: string;
  email: string | null;
  claims: Record<string, unknown>;
}

const NOT_FOUND = 'No member has that username or email address.';

function isNotFound(error: unknown): boolean {
  return !!error && typeof error === 'object' && 'code' in error && error.code === 'auth/user-not-found';
}

/** Staff name a member by email (contains @) or by username (case-insensitive, as at sign-up). */
export async function findMember(ref: string): Promise<FoundMember> {
  let uid: string;
  if (ref.includes('@')) {
    try {
      uid = (await adminAuth().getUserByEmail(ref)).uid;
    } catch (error) {
      if (isNotFound(error)) throw new HttpsError('not-found', NOT_FOUND);
      throw error;
    }
  } else {
    const claim = await db().doc(`usernames/${ref.toLowerCase()}`).get();
    const owner = claim.get('uid') as unknown;
    if (typeof owner !== 'string') throw new HttpsError('not-found', NOT_FOUND);
    uid = owner;
  }
  try {
    const user = await adminAuth().getUser(uid);
    return { uid, email: user.email ?? null, claims: user.customClaims ?? {} };
  } catch (error) {
    // A username whose account was deleted meanwhile.
    if (isNotFound(error)) throw new HttpsError('not-found', NOT_FOUND);
    throw error;
  }
}
