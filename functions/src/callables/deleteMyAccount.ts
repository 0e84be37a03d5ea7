import { onCall } from 'firebase-functions/v2/https';
import { deleteMemberData } from '../account/delete-data.js';
import { deleteMyAccountInput } from '../account/schemas.js';
import { auditNames } from '../audit/names.js';
import { writeAudit } from '../audit/write-audit.js';
import { requireCaller, requireRecentSignIn } from '../auth/caller.js';
import { parseInput } from '../validation.js';

/**
 * Deletes the caller's account and all their data. Unverified members may use it too: the
 * verification gate offers "delete account" (DESIGN §2).
 */
export const deleteMyAccount = onCall(async (request) => {
  const caller = requireCaller(request.auth);
  parseInput(deleteMyAccountInput, request.data);
  requireRecentSignIn(request.auth, 'Sign in again to delete your account.');
  // Read before the deletion removes the profile, so the log still says who left.
  const names = await auditNames(caller.uid, caller.uid);
  const report = await deleteMemberData(caller.uid);
  await writeAudit({
    actor: caller.uid,
    action: 'account.delete',
    subject: caller.uid,
    details: { documents: report.documents, files: report.files, authUser: report.authUser },
    ...names,
  });
  return report;
});
