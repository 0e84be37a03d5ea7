import { FieldValue, type Transaction, type WriteBatch } from 'firebase-admin/firestore';
import { db } from '../admin.js';
import type { AuditEntry } from './write-audit.js';

/**
 * Writes the audit entry in the same commit as the change it records, so an entry exists
 * exactly when the change happened (a retried or failed transaction leaves none).
 */
export function auditIn(writer: Transaction | WriteBatch, entry: AuditEntry): void {
  const ref = db().collection('audit').doc();
  const data = { ...entry, details: entry.details ?? {}, at: FieldValue.serverTimestamp() };
  // Both writers take (ref, data); the union's overloads need the narrowing to pick one.
  if ('get' in writer) writer.create(ref, data);
  else writer.create(ref, data);
}
