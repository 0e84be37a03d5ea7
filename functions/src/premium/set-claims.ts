import { markClaimsChanged } from '../account/claims-changed.js';
import { adminAuth, db } from '../admin.js';
import { type Claims, withoutPremium, withPremium } from './claims.js';
import { entitlementRef, entitlementUntil, toEntitlement } from './entitlement.js';

/**
 * Makes the member's claims say what their entitlement record says now. Reads both right before
 * writing, so a staff flag set meanwhile is kept and a change committed meanwhile is not undone.
 */
export async function syncPremiumClaims(uid: string, now: number = Date.now()): Promise<Claims> {
  const [user, snapshot] = await Promise.all([adminAuth().getUser(uid), entitlementRef(uid).get()]);
  const entitlement = toEntitlement(snapshot.data());
  const until = entitlement ? entitlementUntil(entitlement, Math.floor(now / 1000)) : undefined;
  const claims =
    until === undefined ? withoutPremium(user.customClaims) : withPremium(user.customClaims, until);
  await adminAuth().setCustomUserClaims(uid, claims);
  await markClaimsChanged(db(), uid);
  return claims;
}
