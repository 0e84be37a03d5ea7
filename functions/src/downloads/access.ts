import { HttpsError } from 'firebase-functions/v2/https';
import type { CallerAuth } from '../auth/caller.js';
import { requireVerifiedMember } from '../auth/caller.js';
import { type Entitlement, entitlementUntil } from '../premium/entitlement.js';
import { signedInWithSecondFactor } from '../premium/require-staff.js';
import type { DownloadTarget } from './file-path.js';

/** The parts of `uploads/{uploadId}` (the intake's record) a download needs. */
export interface IntakeRecord {
  owner: string;
  path: string;
  status: string;
  detectedType: string | null;
  safeName: string | null;
}

/** What to send: the type and name come from our records, never from what the uploader declared. */
export interface Grant {
  contentType: string | null;
  fileName: string | null;
}

function isStaff(auth: CallerAuth): boolean {
  return auth.token.staff === true && signedInWithSecondFactor(auth.token);
}

const NO_ACCESS = 'You do not have access to that file.';

/**
 * The same decision storage.rules made for these paths before they were closed to clients, but
 * against the current records: premium from entitlements/{uid} at the moment of the download
 * (so a revoke counts at once, whatever token the member holds), attachments only once the intake
 * accepted exactly these bytes.
 */
export function decideDownload(
  auth: CallerAuth | undefined,
  target: DownloadTarget,
  records: { entitlement?: Entitlement | undefined; intake?: IntakeRecord | undefined },
  nowSeconds: number,
): Grant {
  const caller = requireVerifiedMember(auth);
  const staff = isStaff(auth!);
  if (target.area === 'premium') {
    const entitled = records.entitlement && entitlementUntil(records.entitlement, nowSeconds) !== undefined;
    if (!staff && !entitled)
      throw new HttpsError('permission-denied', 'Premium access is needed for that file.');
    return { contentType: null, fileName: null };
  }
  if (!staff && caller.uid !== target.owner) throw new HttpsError('permission-denied', NO_ACCESS);
  const intake = records.intake;
  if (!intake || intake.owner !== target.owner || intake.path !== target.path) {
    // Not checked yet (or not this file): nothing is served before the intake's verdict.
    throw new HttpsError('failed-precondition', 'That file is still being checked. Try again shortly.');
  }
  if (intake.status !== 'accepted') throw new HttpsError('not-found', 'That file was rejected and removed.');
  return { contentType: intake.detectedType, fileName: intake.safeName };
}
