import { adminAuth, db } from '../admin.js';

export interface AuditNames {
  actorName: string | null;
  subjectName?: string | null;
}

function isNotFound(error: unknown): boolean {
  return !!error && typeof error === 'object' && 'code' in error && error.code === 'auth/user-not-found';
}

/**
 * How staff recognise an account in the audit log: its username as the member typed it, else its
 * email. Read when the entry is written, so the log still names an account after it is deleted.
 */
export async function accountName(uid: string): Promise<string | null> {
  const username: unknown = (await db().doc(`users/${uid}`).get()).get('username');
  if (typeof username === 'string' && username !== '') return username;
  try {
    return (await adminAuth().getUser(uid)).email ?? null;
  } catch (error) {
    if (isNotFound(error)) return null;
    throw error;
  }
}

/** Names for an entry's actor and, when the subject is an account, its subject. */
export async function auditNames(actor: string, subjectUid?: string): Promise<AuditNames> {
  const actorName = await accountName(actor);
  if (subjectUid === undefined) return { actorName };
  return { actorName, subjectName: subjectUid === actor ? actorName : await accountName(subjectUid) };
}
