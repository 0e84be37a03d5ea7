import { onCall } from 'firebase-functions/v2/https';
import { requireVerifiedMember } from '../auth/caller.js';
import { enforceRateLimit } from '../limits/rate-limit.js';
import { redeemCode } from '../premium/redeem.js';
import { redeemAccessCodeInput } from '../premium/schemas.js';
import { parseInput } from '../validation.js';

/** Guessing codes is the abuse to stop: every attempt counts, successful or not. */
export const REDEEM_ATTEMPTS_PER_HOUR = 5;

/** A verified member turns a single-use access code into premium access. */
export const redeemAccessCode = onCall(async (request) => {
  const caller = requireVerifiedMember(request.auth);
  const { code } = parseInput(redeemAccessCodeInput, request.data);
  await enforceRateLimit('redeemAccessCode', caller.uid, REDEEM_ATTEMPTS_PER_HOUR, 3_600_000);
  const { until } = await redeemCode(caller.uid, code);
  return { premium: true, until };
});
