import { onCall } from 'firebase-functions/v2/https';
import { enforceRateLimit } from '../limits/rate-limit.js';
import { createCodes } from '../premium/create-codes.js';
import { requireStaff } from '../premium/require-staff.js';
import { createAccessCodesInput } from '../premium/schemas.js';
import { parseInput } from '../validation.js';

/** Staff (with a second factor) issue codes; the response is the only place the codes appear. */
export const createAccessCodes = onCall(async (request) => {
  const staff = requireStaff(request.auth);
  const { count, validDays, premiumDays } = parseInput(createAccessCodesInput, request.data);
  await enforceRateLimit('createAccessCodes', staff.uid, 20, 3_600_000);
  return createCodes(staff.uid, count, validDays, premiumDays);
});
