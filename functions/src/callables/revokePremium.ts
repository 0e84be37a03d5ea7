import { onCall } from 'firebase-functions/v2/https';
import { enforceRateLimit } from '../limits/rate-limit.js';
import { findMember } from '../premium/find-member.js';
import { revokePremiumFrom } from '../premium/grant.js';
import { requireStaff } from '../premium/require-staff.js';
import { revokePremiumInput } from '../premium/schemas.js';
import { parseInput } from '../validation.js';

/** Staff (with a second factor) take premium away; the member loses it at their next token refresh. */
export const revokePremium = onCall(async (request) => {
  const staff = requireStaff(request.auth);
  const { member } = parseInput(revokePremiumInput, request.data);
  await enforceRateLimit('staffPremium', staff.uid, 120, 3_600_000);
  return revokePremiumFrom(staff.uid, await findMember(member));
});
