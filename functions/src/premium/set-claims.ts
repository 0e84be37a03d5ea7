import { adminAuth } from '../admin.js';
import { type Claims, withoutPremium, withPremium } from './claims.js';

/** Re-reads the claims right before writing, so a staff flag set meanwhile is kept. */
export async function grantPremiumClaims(uid: string, untilSeconds: number | null): Promise<Claims> {
  const user = await adminAuth().getUser(uid);
  const claims = withPremium(user.customClaims, untilSeconds);
  await adminAuth().setCustomUserClaims(uid, claims);
  return claims;
}

export async function revokePremiumClaims(uid: string): Promise<Claims> {
  const user = await adminAuth().getUser(uid);
  const claims = withoutPremium(user.customClaims);
  await adminAuth().setCustomUserClaims(uid, claims);
  return claims;
}
