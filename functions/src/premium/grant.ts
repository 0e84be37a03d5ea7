import { FieldValue } from 'firebase-admin/firestore';
import { db } from '../admin.js';
import { auditIn } from '../audit/in-transaction.js';
import { auditNames } from '../audit/names.js';
import { type Entitlement, entitlementRef, startingUntil, toEntitlement } from './entitlement.js';
import { extendPremium } from './period.js';
import type { FoundMember } from './find-member.js';
import { syncPremiumClaims } from './set-claims.js';
import { profileRef, writeSummary } from './summary.js';

export interface PremiumChange {
  uid: string;
  email: string | null;
  active: boolean;
  until: number | null;
}

/**
 * Staff grants set the period from now (or extend the member's remaining time). The entitlement,
 * summary and audit entry commit together, then the claims follow the entitlement; a failure
 * there surfaces to staff, and downloads already follow the committed record.
 */
export async function grantPremiumTo(
  actor: string,
  member: FoundMember,
  days: number | null,
  now: number = Date.now(),
): Promise<PremiumChange> {
  const nowSeconds = Math.floor(now / 1000);
  const { until } = await changeEntitlement(actor, member, 'premium.grant', { days }, (current) => ({
    active: true,
    until: extendPremium(startingUntil(current, member.claims, nowSeconds), nowSeconds, days),
    source: 'staff',
  }));
  await syncPremiumClaims(member.uid, now);
  return { uid: member.uid, email: member.email, active: true, until };
}

/** Takes effect for downloads at the commit (they check the record); the claims follow. */
export async function revokePremiumFrom(actor: string, member: FoundMember): Promise<PremiumChange> {
  await changeEntitlement(actor, member, 'premium.revoke', {}, () => ({
    active: false,
    until: null,
    source: 'staff',
  }));
  await syncPremiumClaims(member.uid);
  return { uid: member.uid, email: member.email, active: false, until: null };
}

async function changeEntitlement(
  actor: string,
  member: FoundMember,
  action: string,
  details: Record<string, number | null>,
  next: (current: Entitlement | undefined) => Entitlement,
): Promise<Entitlement> {
  const grantRef = entitlementRef(member.uid);
  const userRef = profileRef(member.uid);
  const names = await auditNames(actor, member.uid);
  return db().runTransaction(async (tx) => {
    const [grantSnap, userSnap] = await Promise.all([tx.get(grantRef), tx.get(userRef)]);
    const entitlement = next(toEntitlement(grantSnap.data()));
    tx.set(grantRef, { ...entitlement, changedAt: FieldValue.serverTimestamp() });
    writeSummary(tx, userRef, userSnap.exists, entitlement);
    auditIn(tx, {
      actor,
      action,
      subject: member.uid,
      details: { ...details, until: entitlement.until },
      ...names,
    });
    return entitlement;
  });
}
