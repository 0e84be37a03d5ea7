import { FieldValue, type Firestore } from 'firebase-admin/firestore';

/**
 * A member's ID token carries their custom claims as they were when it was minted, for up to an
 * hour. Whoever changes the claims also stamps `claimChanges/{uid}`; the member's client compares
 * the stamp with its token's issue time and asks for a fresh token when the claims are newer
 * (Firebase's documented way to propagate claims to a signed-in client).
 */
export const CLAIM_CHANGES = 'claimChanges';

export async function markClaimsChanged(firestore: Firestore, uid: string): Promise<void> {
  await firestore.doc(`${CLAIM_CHANGES}/${uid}`).set({ at: FieldValue.serverTimestamp() });
}
