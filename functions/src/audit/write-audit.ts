import { FieldValue } from 'firebase-admin/firestore';
import { db } from '../admin.js';

export interface AuditEntry {
  /** Who did it (uid). */
  actor: string;
  /** What, as `area.verb`, e.g. `account.delete`. */
  action: string;
  /** Whom it was done to (uid or document path). */
  subject: string;
  details?: Record<string, string | number | boolean | null>;
  /** The actor's and subject's usernames (or emails) when written; see names.ts. */
  actorName?: string | null;
  subjectName?: string | null;
}

/** Every trusted action leaves a record staff can read; functions are the only writers. */
export async function writeAudit(entry: AuditEntry): Promise<void> {
  await db()
    .collection('audit')
    .add({ ...entry, details: entry.details ?? {}, at: FieldValue.serverTimestamp() });
}
