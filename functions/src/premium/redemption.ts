/** An access code as stored in `accessCodes/{sha256(code)}`; times in epoch milliseconds here. */
export interface CodeRecord {
  expiresAtMs: number;
  premiumDays: number | null;
  redeemedBy: string | null;
  /**
   * What the redemption granted (epoch seconds, null for no end), recorded with `redeemedBy`;
   * undefined while unredeemed and on codes redeemed before it was recorded.
   */
  grantedUntil?: number | null;
}

export type CodeCheck =
  | { ok: true; premiumDays: number | null }
  | { ok: false; code: 'not-found' | 'failed-precondition'; message: string };

/** Decides whether a code can be redeemed now; the caller runs this inside the transaction. */
export function checkCode(record: CodeRecord | undefined, nowMs: number): CodeCheck {
  if (!record) {
    return { ok: false, code: 'not-found', message: 'That code does not exist. Check it and try again.' };
  }
  if (record.redeemedBy !== null) {
    return { ok: false, code: 'failed-precondition', message: 'That code has already been used.' };
  }
  if (record.expiresAtMs <= nowMs) {
    const day = new Date(record.expiresAtMs).toISOString().slice(0, 10);
    return { ok: false, code: 'failed-precondition', message: `That code expired on ${day}.` };
  }
  return { ok: true, premiumDays: record.premiumDays };
}

/**
 * The grant of a code `uid` has already redeemed, so a retry can finish a redemption whose claims
 * were never set (the claims are written after the transaction commits, and that write can fail
 * or its answer be lost). Undefined when the code is not theirs to finish.
 */
export function earlierGrant(record: CodeRecord | undefined, uid: string): number | null | undefined {
  if (!record || record.redeemedBy !== uid) return undefined;
  return record.grantedUntil;
}
