import type { User } from '../firebase/auth.js';
import { collection, firestore, getDocs, limit, orderBy, query } from '../firebase/firestore.js';
import { type AuditRow, type StaffAccess, staffAccess, toAuditRow } from './staff-access.js';

export { type AuditRow, optionalDays, type StaffAccess } from './staff-access.js';

export async function loadStaffAccess(user: User): Promise<StaffAccess> {
  const result = await user.getIdTokenResult();
  return staffAccess(result.claims, result.signInSecondFactor);
}

export async function loadAudit(count = 50): Promise<AuditRow[]> {
  const snapshot = await getDocs(
    query(collection(firestore(), 'audit'), orderBy('at', 'desc'), limit(count)),
  );
  return snapshot.docs.map((d) => toAuditRow(d.id, d.data()));
}
