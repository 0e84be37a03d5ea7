import { FieldValue, Timestamp } from 'firebase-admin/firestore';
import { HttpsError } from 'firebase-functions/v2/https';
import { adminAuth, db } from '../admin.js';
import { auditIn } from '../audit/in-transaction.js';
import { auditNames } from '../audit/names.js';
import { writeAudit } from '../audit/write-audit.js';
import { hashCode } from './codes.js';
import { entitlementRef, entitlementUntil, startingUntil, toEntitlement } from './entitlement.js';
import { extendPremium } from './period.js';
import { ALREADY_USED, checkCode, type CodeRecord, mayFinish } from './redemption.js';
import { syncPremiumClaims } from './set-claims.js';
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
    ...(typeof data.claimsApplied === 'boolean' ? { claimsApplied: data.claimsApplied } : {}),
  };
}

/**
 * Uses the code exactly once: the transaction locks accessCodes/{hash} and the member's
 * entitlements/{uid}, so of many concurrent redemptions of one code one commits, and two codes
 * redeemed by one member at once extend one after the other. The entitlement, the summary and
 * the audit entry commit together; the claims are set from the entitlement after the commit. If
 * that fails, the member's retry with the same code copies the entitlement into the claims once
 * (never granting anything the record does not hold now), and after that the code is just used.
 */
export async function redeemCode(uid: string, code: string, now: number = Date.now()): Promise<Redeemed> {
  const hash = hashCode(code);
  const codeRef = db().doc(`accessCodes/${hash}`);
  const grantRef = entitlementRef(uid);
  const userRef = profileRef(uid);
  const nowSeconds = Math.floor(now / 1000);
  const claims = (await adminAuth().getUser(uid)).customClaims;
  const names = await auditNames(uid, uid);

  const outcome = await db().runTransaction(async (tx) => {
    const [codeSnap, grantSnap, userSnap] = await Promise.all([
      tx.get(codeRef),
      tx.get(grantRef),
      tx.get(userRef),
    ]);
    const record = toRecord(codeSnap.data());
    if (mayFinish(record, uid)) return { finishing: true as const };
    const check = checkCode(record, now);
    if (!check.ok) throw new HttpsError(check.code, check.message);
    const current = startingUntil(toEntitlement(grantSnap.data()), claims, nowSeconds);
    if (current === null) {
      throw new HttpsError('failed-precondition', 'You already have premium access with no end date.');
    }
    const until = extendPremium(current, nowSeconds, check.premiumDays);
    tx.update(codeRef, { redeemedBy: uid, redeemedAt: Timestamp.fromMillis(now), claimsApplied: false });
    tx.set(grantRef, { active: true, until, source: 'code', changedAt: FieldValue.serverTimestamp() });
    writeSummary(tx, userRef, userSnap.exists, { active: true, until, source: 'code' });
    auditIn(tx, {
      actor: uid,
      action: 'premium.redeem',
      subject: uid,
      // A prefix identifies the code for staff without putting a full hash in every log reader's hands.
      details: { code: hash.slice(0, 12), until },
      ...names,
    });
    return { finishing: false as const, until };
  });

  await syncPremiumClaims(uid, now);
  // Only after the claims are set: a failure before this leaves the code finishable.
  await codeRef.update({ claimsApplied: true });
  if (!outcome.finishing) return { until: outcome.until };

  const entitlement = toEntitlement((await grantRef.get()).data());
  const until = entitlement ? entitlementUntil(entitlement, nowSeconds) : undefined;
  await writeAudit({
    actor: uid,
    action: 'premium.redeem.finish',
    subject: uid,
    details: { code: hash.slice(0, 12), until: until ?? null, active: until !== undefined },
    ...names,
  });
  // Revoked (or run out) since the redemption: the claims now say so, and the code stays used.
  if (until === undefined) throw new HttpsError('failed-precondition', ALREADY_USED);
  return { until };
}
