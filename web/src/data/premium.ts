import type { User } from '../firebase/auth.js';
import { redeemAccessCode } from '../firebase/premium-calls.js';
import { type PremiumAccess, premiumAccess } from './premium-access.js';

export { describeAccess, formatDay, type PremiumAccess } from './premium-access.js';

/**
 * Claims only reach the rules in a new ID token, so every change of access (a redeemed code,
 * a staff grant or revocation) is followed by a forced refresh.
 */
export async function refreshAccess(user: User): Promise<PremiumAccess> {
  await user.getIdToken(true);
  const result = await user.getIdTokenResult();
  return premiumAccess(result.claims, Math.floor(Date.now() / 1000));
}

export async function redeem(user: User, code: string): Promise<PremiumAccess> {
  await redeemAccessCode(code);
  return refreshAccess(user);
}
