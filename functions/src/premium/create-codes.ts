import { Timestamp } from 'firebase-admin/firestore';
import { db } from '../admin.js';
import { auditIn } from '../audit/in-transaction.js';
import { auditNames } from '../audit/names.js';
import { generateCode, hashCode } from './codes.js';
import { DAY_SECONDS } from './period.js';

export interface CreatedCodes {
  /** Shown once: only their hashes are stored. */
  codes: string[];
  expiresAt: number;
  premiumDays: number | null;
}

/** `create` (not `set`) so an astronomically unlikely hash collision fails instead of reviving a used code. */
export async function createCodes(
  actor: string,
  count: number,
  validDays: number,
  premiumDays: number | null,
  now: number = Date.now(),
): Promise<CreatedCodes> {
  const expiresAt = Math.floor(now / 1000) + validDays * DAY_SECONDS;
  const codes = Array.from({ length: count }, () => generateCode());
  const names = await auditNames(actor);
  const batch = db().batch();
  for (const code of codes) {
    batch.create(db().doc(`accessCodes/${hashCode(code)}`), {
      createdBy: actor,
      createdAt: Timestamp.fromMillis(now),
      expiresAt: Timestamp.fromMillis(expiresAt * 1000),
      premiumDays,
      redeemedBy: null,
      redeemedAt: null,
    });
  }
  auditIn(batch, {
    actor,
    action: 'accessCodes.create',
    subject: 'accessCodes',
    details: { count, validDays, premiumDays, expiresAt },
    ...names,
  });
  await batch.commit();
  return { codes, expiresAt, premiumDays };
}
