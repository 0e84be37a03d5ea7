import type { AuditEntryView } from './audit-words.js';

export type StaffAccess = 'staff' | 'needs-second-factor' | 'none';

/** Mirrors the rules: the staff claim counts only in a session signed in with a second factor. */
export function staffAccess(claims: Record<string, unknown>, secondFactor: string | null): StaffAccess {
  if (claims.staff !== true) return 'none';
  return secondFactor ? 'staff' : 'needs-second-factor';
}

function toDate(value: unknown): Date | null {
  // A Firestore Timestamp; recognised by shape so this module needs no SDK import.
  if (value && typeof value === 'object' && 'toDate' in value && typeof value.toDate === 'function') {
    const date: unknown = value.toDate();
    return date instanceof Date ? date : null;
  }
  return null;
}

/** An audit document as the log shows it; anything malformed reads as absent, never throws. */
export function toAuditEntry(id: string, data: Record<string, unknown>): AuditEntryView {
  const text = (value: unknown): string => (typeof value === 'string' ? value : '');
  const name = (value: unknown): string | null => (typeof value === 'string' && value !== '' ? value : null);
  const details = data.details;
  return {
    id,
    at: toDate(data.at),
    actor: text(data.actor),
    actorName: name(data.actorName),
    action: text(data.action),
    subject: text(data.subject),
    subjectName: name(data.subjectName),
    details: details && typeof details === 'object' ? (details as Record<string, unknown>) : {},
  };
}

/** Empty means "no end date"; anything else is passed on for the function to validate. */
export function optionalDays(raw: string): number | null {
  const trimmed = raw.trim();
  return trimmed === '' ? null : Number(trimmed);
}
