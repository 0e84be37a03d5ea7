import { db } from '../admin.js';
import { auditIn } from '../audit/in-transaction.js';
import { currentUntil } from './claims.js';
import { extendPremium } from './period.js';
import type { FoundMember } from './find-member.js';
import { grantPremiumClaims, revokePremiumClaims } from './set-claims.js';
import { profileRef, writeSummary } from './summary.js';

export interface PremiumChange {
  uid: string;
  email: string | null;
  active: boolean;
  until: number | null;
}

/**
 * Staff grants set the period from now (or extend the member's remaining time); claims first,
 * so the audit and summary never claim a grant that did not happen.
 */
export async function grantPremiumTo(
  actor: string,
  member: FoundMember,
  days: number | null,
  now: number = Date.now(),
): Promise<PremiumChange> {
  const nowSeconds = Math.floor(now / 1000);
  const until = extendPremium(currentUntil(member.claims, nowSeconds), nowSeconds, days);
  await grantPremiumClaims(member.uid, until);
  await recordChange(actor, member.uid, 'premium.grant', { active: true, until }, { days });
  return { uid: member.uid, email: member.email, active: true, until };
}

export async function revokePremiumFrom(actor: string, member: FoundMember): Promise<PremiumChange> {
  await revokePremiumClaims(member.uid);
  await recordChange(actor, member.uid, 'premium.revoke', { active: false, until: null }, {});
  return { uid: member.uid, email: member.email, active: false, until: null };
}

async function recordChange(
  actor: string,
  uid: string,
  action: string,
  state: { active: boolean; until: number | null },
  details: Record<string, number | null>,
): Promise<void> {
  const ref = profileRef(uid);
  const profile = await ref.get();
  const batch = db().batch();
  writeSummary(batch, ref, profile.exists, { ...state, source: 'staff' });
  auditIn(batch, { actor, action, subject: uid, details: { ...details, until: state.until } });
  await batch.commit();
}
