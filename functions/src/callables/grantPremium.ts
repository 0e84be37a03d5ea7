import { onCall } from 'firebase-functions/v2/https';
import { enforceRateLimit } from '../limits/rate-limit.js';
import { findMember } from '../premium/find-member.js';
import { grantPremiumTo } from '../premium/grant.js';
import { requireStaff } from '../premium/require-staff.js';
import { grantPremiumInput } from '../premium/schemas.js';
import { parseInput } from '../validation.js';

/** Staff (with a second factor) give a member premium, for a number of days or without end. */
export const grantPremium = onCall(async (request) => {
  const staff = requireStaff(request.auth);
  const { member, days } = parseInput(grantPremiumInput, request.data);
  // Generous for a person at a console, tight enough to bound a hijacked session.
  await enforceRateLimit('staffPremium', staff.uid, 120, 3_600_000);
  return grantPremiumTo(staff.uid, await findMember(member), days);
});
