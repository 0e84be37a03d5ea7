import { doc, firestore, getDoc } from '../firebase/firestore.js';

/** The member's username for staff screens; the uid when there is no profile or it cannot be read. */
export async function memberName(uid: string): Promise<string> {
  try {
    const username: unknown = (await getDoc(doc(firestore(), 'users', uid))).get('username');
    return typeof username === 'string' ? username : uid;
  } catch {
    return uid;
  }
}
