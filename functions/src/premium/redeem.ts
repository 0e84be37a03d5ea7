import { Timestamp } from 'firebase-admin/firestore';
import { HttpsError } from 'firebase-functions/v2/https';
import { adminAuth, db } from '../admin.js';
import { auditIn } from '../audit/in-transaction.js';
import { currentUntil } from './claims.js';
import { hashCode } from './codes.js';
import { extendPremium } from './period.js';
import { checkCode, type CodeRecord, earlierGrant } from './redemption.js';
import { grantPremiumClaims } from './set-claims.js';
import { profileRef, writeSummary } from './summary.js';

export interface Redeemed {
  /** Epoch seconds, or null for premium without an end date. */
  until: number | null;
}

function toRecord(data: FirebaseFirestore.DocumentData | undefined): CodeRecord | undefined {
  if (!data) return undefined;
  const expiresAt = data.expiresAt as unknown;
  return {
    expiresAtMs: expiresAt instanceof Timestamp ? expiresAt.toMillis() : 0,
    premiumDays: typeof data.premiumDays === 'number' ? data.premiumDays : null,
    redeemedBy: typeof data.redeemedBy === 'string' ? data.redeemedBy : null,
    ...(typeof data.grantedUntil === 'number' || data.grantedUntil === null
      ? { grantedUntil: data.grantedUntil as number | null }
      : {}),
  };
}

/**
 * Uses the code exactly once: the transaction locks accessCodes/{hash}, so of many concurrent
 * redemptions one commits and every other one re-reads it as redeemed. The claims are set
 * only after the commit, because a transaction attempt may be retried or lost; if setting them
 * fails, the member's retry with the same code finishes the redemption instead of finding the
 * code used.
 */
export async function redeemCode(uid: string, code: string, now: number = Date.now()): Promise<Redeemed> {
  const hash = hashCode(code);
  const codeRef = db().doc(`accessCodes/${hash}`);
  const userRef = profileRef(uid);
  const nowSeconds = Math.floor(now / 1000);
  const existing = currentUntil((await adminAuth().getUser(uid)).customClaims, nowSeconds);
  if (existing === null) {
    throw new HttpsError('failed-precondition', 'You already have premium access with no end date.');
  }

  const granted = await db().runTransaction(async (tx) => {
    const [codeSnap, userSnap] = await Promise.all([tx.get(codeRef), tx.get(userRef)]);
    const record = toRecord(codeSnap.data());
    // Finishing an earlier redemption writes nothing here: its audit entry and summary are in.
    const earlier = earlierGrant(record, uid);
    if (earlier !== undefined) return { until: earlier, finishing: true };
    const check = checkCode(record, now);
    if (!check.ok) throw new HttpsError(check.code, check.message);
    const newUntil = extendPremium(existing, nowSeconds, check.premiumDays);
    tx.update(codeRef, { redeemedBy: uid, redeemedAt: Timestamp.fromMillis(now), grantedUntil: newUntil });
    writeSummary(tx, userRef, userSnap.exists, { active: true, until: newUntil, source: 'code' });
    auditIn(tx, {
      actor: uid,
      action: 'premium.redeem',
      subject: uid,
      // A prefix identifies the code for staff without putting a full hash in every log reader's hands.
      details: { code: hash.slice(0, 12), until: newUntil },
    });
    return { until: newUntil, finishing: false };
  });

  // A finished redemption never shortens premium the member has gained since (a staff grant, say).
  const until =
    granted.finishing && granted.until !== null && existing !== undefined
      ? Math.max(existing, granted.until)
      : granted.until;
  await grantPremiumClaims(uid, until);
  return { until };
}
