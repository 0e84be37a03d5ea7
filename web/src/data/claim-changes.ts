import { doc, firestore, getDoc, Timestamp } from '../firebase/firestore.js';

/** When trusted code last changed this member's claims (functions/src/account/claims-changed.ts). */
export async function loadClaimsChangedAt(uid: string): Promise<number | null> {
  const at: unknown = (await getDoc(doc(firestore(), 'claimChanges', uid))).get('at');
  return at instanceof Timestamp ? at.toMillis() : null;
}
