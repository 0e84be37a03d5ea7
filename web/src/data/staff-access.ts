export type StaffAccess = 'staff' | 'needs-second-factor' | 'none';

/** Mirrors the rules: the staff claim counts only in a session signed in with a second factor. */
export function staffAccess(claims: Record<string, unknown>, secondFactor: string | null): StaffAccess {
  if (claims.staff !== true) return 'none';
  return secondFactor ? 'staff' : 'needs-second-factor';
}

export interface AuditRow {
  id: string;
  at: Date | null;
  actor: string;
  action: string;
  subject: string;
  details: string;
}

/** Details are small flat maps; shown as `key=value` pairs. */
export function formatDetails(details: unknown): string {
  if (!details || typeof details !== 'object') return '';
  return Object.entries(details as Record<string, unknown>)
    .map(([key, value]) => `${key}=${value === null ? 'none' : String(value)}`)
    .join(', ');
}

function toDate(value: unknown): Date | null {
  // A Firestore Timestamp; recognised by shape so this module needs no SDK import.
  if (value && typeof value === 'object' && 'toDate' in value && typeof value.toDate === 'function') {
    const date: unknown = value.toDate();
    return date instanceof Date ? date : null;
  }
  return null;
}

export function toAuditRow(id: string, data: Record<string, unknown>): AuditRow {
  const text = (value: unknown): string => (typeof value === 'string' ? value : '');
  return {
    id,
    at: toDate(data.at),
    actor: text(data.actor),
    action: text(data.action),
    subject: text(data.subject),
    details: formatDetails(data.details),
  };
}

/** Empty means "no end date"; anything else is passed on for the function to validate. */
export function optionalDays(raw: string): number | null {
  const trimmed = raw.trim();
  return trimmed === '' ? null : Number(trimmed);
}
