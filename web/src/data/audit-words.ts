/**
 * The audit log as staff read it: who did what to whom, in words, with dates in the viewer's own
 * time zone (named, so a log read across zones is unambiguous). Pure: the page passes the locale
 * and zone, and tests pin them.
 */

export interface AuditEntryView {
  id: string;
  at: Date | null;
  actor: string;
  actorName: string | null;
  action: string;
  subject: string;
  subjectName: string | null;
  details: Record<string, unknown>;
}

export interface Clock {
  /** An IANA zone such as "Europe/Paris"; the viewer's when omitted. */
  timeZone?: string;
}

/** "3 Jan 2027": days only, in the viewer's zone. */
export function dayText(epochSeconds: number, clock: Clock = {}): string {
  return new Intl.DateTimeFormat('en-GB', {
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    timeZone: clock.timeZone,
  }).format(new Date(epochSeconds * 1000));
}

/** "5 Dec 2026, 14:03 CET": when the entry was written, with the zone named. */
export function whenText(at: Date | null, clock: Clock = {}): string {
  if (!at) return 'just now';
  return new Intl.DateTimeFormat('en-GB', {
    day: 'numeric',
    month: 'short',
    year: 'numeric',
    hour: '2-digit',
    minute: '2-digit',
    timeZoneName: 'short',
    timeZone: clock.timeZone,
  }).format(at);
}

const num = (value: unknown): number | null =>
  typeof value === 'number' && Number.isFinite(value) ? value : null;
const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

function untilText(value: unknown, clock: Clock): string {
  const until = num(value);
  return until === null ? 'with no end date' : `until ${dayText(until, clock)}`;
}

/** The name staff know an account by; the uid only when the entry predates names or has none. */
export function accountText(uid: string, name: string | null): string {
  return name ?? uid;
}

/** What happened, as a sentence whose subject is the actor ("granted premium to ada until …"). */
export function actionText(entry: AuditEntryView, clock: Clock = {}): string {
  const d = entry.details;
  const whom = accountText(entry.subject, entry.subjectName);
  const self = entry.subject === entry.actor;
  switch (entry.action) {
    case 'premium.grant': {
      const days = num(d.days);
      const period = days === null ? '' : ` (${plural(days, 'day')})`;
      return `granted premium to ${whom} ${untilText(d.until, clock)}${period}`;
    }
    case 'premium.revoke':
      return `revoked premium from ${whom}`;
    case 'premium.redeem':
      return `redeemed access code ${String(d.code ?? '')}… for premium ${untilText(d.until, clock)}`;
    case 'premium.redeem.finish':
      return d.active === false
        ? `retried access code ${String(d.code ?? '')}…; premium had ended meanwhile`
        : `finished redeeming access code ${String(d.code ?? '')}… (premium ${untilText(d.until, clock)})`;
    case 'accessCodes.create': {
      const count = num(d.count) ?? 0;
      const expires = num(d.expiresAt);
      const premiumDays = num(d.premiumDays);
      const each =
        premiumDays === null ? 'premium with no end date' : `${plural(premiumDays, 'day')} of premium`;
      const until = expires === null ? '' : `, redeemable until ${dayText(expires, clock)}`;
      return `created ${plural(count, 'access code')} (${each} each${until})`;
    }
    case 'account.delete': {
      const docs = num(d.documents) ?? 0;
      const files = num(d.files) ?? 0;
      const target = self ? 'their account' : `the account of ${whom}`;
      return `deleted ${target} (${plural(docs, 'document')}, ${plural(files, 'file')})`;
    }
    case 'account.export':
      return self ? 'downloaded their data' : `downloaded the data of ${whom}`;
    default: {
      // An action this page does not know yet still shows everything it holds.
      const pairs = Object.entries(d).map(([k, v]) => `${k} ${v === null ? 'none' : String(v)}`);
      return `${entry.action} on ${whom}${pairs.length ? ` (${pairs.join(', ')})` : ''}`;
    }
  }
}
