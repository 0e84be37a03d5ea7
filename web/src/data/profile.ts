import { doc, firestore, getDoc, serverTimestamp, writeBatch } from '../firebase/firestore.js';

export interface Profile {
  username: string;
}

/**
 * Claims the username and creates the profile in one batch; the rules check each half
 * against the other, so a taken name makes the whole batch fail.
 */
export async function createProfile(uid: string, username: { name: string; key: string }): Promise<void> {
  const db = firestore();
  const batch = writeBatch(db);
  batch.set(doc(db, 'users', uid), { username: username.name, createdAt: serverTimestamp() });
  batch.set(doc(db, 'usernames', username.key), { uid });
  try {
    await batch.commit();
  } catch (error) {
    // The name format was checked before sending, so a refusal here means someone holds the name.
    if (error && typeof error === 'object' && 'code' in error && error.code === 'permission-denied') {
      throw Object.assign(new Error('Username taken'), { code: 'portal/username-taken' });
    }
    throw error;
  }
}

export async function loadProfile(uid: string): Promise<Profile | null> {
  const snapshot = await getDoc(doc(firestore(), 'users', uid));
  const username: unknown = snapshot.get('username');
  return typeof username === 'string' ? { username } : null;
}
