import type { DocumentReference, Transaction, WriteBatch } from 'firebase-admin/firestore';
import { db } from '../admin.js';

/** `users/{uid}.premium`: what the member's pages show; the claims remain what rules trust. */
export interface PremiumSummary {
  active: boolean;
  /** Epoch seconds, null for no end date (or when inactive). */
  until: number | null;
  source: 'code' | 'staff';
}

export function profileRef(uid: string): DocumentReference {
  return db().doc(`users/${uid}`);
}

/**
 * Only touches an existing profile: creating users/{uid} here would block the member's own
 * sign-up batch later, which the rules allow only as a create.
 */
export function writeSummary(
  writer: Transaction | WriteBatch,
  ref: DocumentReference,
  profileExists: boolean,
  summary: PremiumSummary,
): void {
  if (!profileExists) return;
  if ('get' in writer) writer.update(ref, { premium: summary });
  else writer.update(ref, { premium: summary });
}
