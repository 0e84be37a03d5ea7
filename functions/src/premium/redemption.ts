/** An access code as stored in `accessCodes/{sha256(code)}`; times in epoch milliseconds here. */
export interface CodeRecord {
  expiresAtMs: number;
  premiumDays: number | null;
  redeemedBy: string | null;
  /**
   * False from the commit that redeemed the code until the redeemer's claims were set from it;
   * true after. Codes redeemed before this was recorded have none and count as applied.
   */
  claimsApplied?: boolean;
}

export type CodeCheck =
  | { ok: true; premiumDays: number | null }
  | { ok: false; code: 'not-found' | 'failed-precondition'; message: string };

export const ALREADY_USED = 'That code has already been used.';

/** Decides whether a code can be redeemed now; the caller runs this inside the transaction. */
export function checkCode(record: CodeRecord | undefined, nowMs: number): CodeCheck {
  if (!record) {
    return { ok: false, code: 'not-found', message: 'That code does not exist. Check it and try again.' };
  }
  if (record.redeemedBy !== null) {
    return { ok: false, code: 'failed-precondition', message: ALREADY_USED };
  }
  if (record.expiresAtMs <= nowMs) {
    const day = new Date(record.expiresAtMs).toISOString().slice(0, 10);
    return { ok: false, code: 'failed-precondition', message: `That code expired on ${day}.` };
  }
  return { ok: true, premiumDays: record.premiumDays };
}

/**
 * Whether `uid` may finish an earlier redemption of this code: theirs, committed, and its claims
 * never set (the claims are written after the transaction commits, and that write can fail or its
 * answer be lost). Finishing only copies the member's current entitlement into the claims, so
 * it cannot grant again what a revoke has taken away.
 */
export function mayFinish(record: CodeRecord | undefined, uid: string): boolean {
  return !!record && record.redeemedBy === uid && record.claimsApplied === false;
}
