import type { User } from '../firebase/auth.js';
import {
  collection,
  firestore,
  getDocs,
  limit,
  orderBy,
  query,
  type QueryDocumentSnapshot,
  startAfter,
} from '../firebase/firestore.js';
import type { AuditEntryView } from './audit-words.js';
import { type StaffAccess, staffAccess, toAuditEntry } from './staff-access.js';

export { optionalDays, type StaffAccess } from './staff-access.js';

export async function loadStaffAccess(user: User): Promise<StaffAccess> {
  const result = await user.getIdTokenResult();
  return staffAccess(result.claims, result.signInSecondFactor);
}

export interface AuditPage {
  entries: AuditEntryView[];
  /** Where the next, older page starts; null when this page was the last. */
  next: QueryDocumentSnapshot | null;
}

/** Newest first, a page at a time; `after` is the previous page's `next`. */
export async function loadAuditPage(
  size: number,
  after: QueryDocumentSnapshot | null = null,
): Promise<AuditPage> {
  const cursor = after ? [startAfter(after)] : [];
  const q = query(collection(firestore(), 'audit'), orderBy('at', 'desc'), ...cursor, limit(size + 1));
  const docs = (await getDocs(q)).docs;
  // One extra document tells whether an older page exists without a second read.
  const page = docs.slice(0, size);
  return {
    entries: page.map((d) => toAuditEntry(d.id, d.data())),
    next: docs.length > size ? page.at(-1)! : null,
  };
}
