import type { DocumentReference, Query } from 'firebase-admin/firestore';
import { bucket, db } from '../admin.js';
import { rateLimitPath } from '../limits/rate-limit.js';
import { CLAIM_CHANGES } from './claims-changed.js';

/** Every rate-limited action keyed by the caller's uid (see the callables). */
const RATE_LIMITED_ACTIONS = ['exportMyData', 'redeemAccessCode', 'staffPremium', 'createAccessCodes'];

/** What a redeemed access code says instead of the uid once its redeemer's account is deleted. */
export const DELETED_MEMBER = 'deleted-member';

/**
 * Where a member's data lives (DESIGN §3). Export and deletion both start here, so a new
 * kind of member data only has to be added once.
 */
export function memberRefs(uid: string) {
  const firestore = db();
  return {
    profile: firestore.doc(`users/${uid}`),
    entitlement: firestore.doc(`entitlements/${uid}`),
    claimChanges: firestore.doc(`${CLAIM_CHANGES}/${uid}`),
    thread: firestore.doc(`threads/${uid}`),
    messages: firestore.collection(`threads/${uid}/messages`),
    uploads: firestore.collection('uploads').where('owner', '==', uid),
    usernames: firestore.collection('usernames').where('uid', '==', uid),
    rateLimits: RATE_LIMITED_ACTIONS.map((action) => firestore.doc(rateLimitPath(action, uid))),
    // Kept (a used code must stay used) but no longer naming the member.
    redeemedCodes: firestore.collection('accessCodes').where('redeemedBy', '==', uid),
    filePrefix: `uploads/${uid}/`,
  };
}

/** The username document only counts as the member's when it points back at them. */
export async function ownedUsernameRef(uid: string): Promise<DocumentReference | null> {
  const profile = await memberRefs(uid).profile.get();
  const username: unknown = profile.get('username');
  if (typeof username !== 'string' || username === '') return null;
  // The profile keeps the name as typed; the claim's id is its lower-case form.
  const ref = db().doc(`usernames/${username.toLowerCase()}`);
  const snapshot = await ref.get();
  return snapshot.exists && snapshot.get('uid') === uid ? ref : null;
}

export interface StoredFile {
  path: string;
  size: number;
  contentType: string | null;
  updated: string | null;
}

export async function memberFiles(uid: string): Promise<StoredFile[]> {
  const [files] = await bucket().getFiles({ prefix: memberRefs(uid).filePrefix });
  return files.map((file) => ({
    path: file.name,
    size: Number(file.metadata.size ?? 0),
    contentType: file.metadata.contentType ?? null,
    updated: file.metadata.updated ?? null,
  }));
}

const PAGE = 300;

/** Deletes every document a query matches, a page at a time, so a large thread never exceeds a batch. */
export async function deleteMatching(query: Query): Promise<number> {
  let deleted = 0;
  for (;;) {
    const page = await query.limit(PAGE).get();
    if (page.empty) return deleted;
    const batch = db().batch();
    for (const doc of page.docs) batch.delete(doc.ref);
    await batch.commit();
    deleted += page.size;
    if (page.size < PAGE) return deleted;
  }
}
