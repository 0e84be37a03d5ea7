import { onCall } from 'firebase-functions/v2/https';
import { exportMemberData } from '../account/export-data.js';
import { exportMyDataInput } from '../account/schemas.js';
import { auditNames } from '../audit/names.js';
import { writeAudit } from '../audit/write-audit.js';
import { requireVerifiedMember } from '../auth/caller.js';
import { enforceRateLimit } from '../limits/rate-limit.js';
import { parseInput } from '../validation.js';

const EXPORTS_PER_HOUR = 5;

/** A verified member downloads everything the portal holds about them. */
export const exportMyData = onCall(async (request) => {
  const caller = requireVerifiedMember(request.auth);
  parseInput(exportMyDataInput, request.data);
  // Each export reads everything the member owns; a few an hour is plenty for a person.
  await enforceRateLimit('exportMyData', caller.uid, EXPORTS_PER_HOUR, 3_600_000);
  const data = await exportMemberData(caller.uid);
  await writeAudit({
    actor: caller.uid,
    action: 'account.export',
    subject: caller.uid,
    ...(await auditNames(caller.uid, caller.uid)),
  });
  return data;
});
