import type { DocumentReference } from 'firebase-admin/firestore';
import { db } from '../admin.js';
import { type Claims, currentUntil } from './claims.js';

/**
 * `entitlements/{uid}`: the member's premium as it is now, written by functions only, inside the
 * same transaction as the change that sets it (a redemption, a staff grant or revoke) and the
 * audit entry that records it. It is what every premium download checks, so a revoke takes
 * effect at once whatever ID token the member still holds; the custom claims follow it (for the
 * client's pages) and never grant more than it says.
 */
export interface Entitlement {
  active: boolean;
  /** Epoch seconds; null for no end date (or when inactive). */
  until: number | null;
  source: 'code' | 'staff';
}

export function entitlementRef(uid: string): DocumentReference {
  return db().doc(`entitlements/${uid}`);
}

export function toEntitlement(data: FirebaseFirestore.DocumentData | undefined): Entitlement | undefined {
  if (!data || typeof data.active !== 'boolean') return undefined;
  return {
    active: data.active,
    until: typeof data.until === 'number' ? data.until : null,
    source: data.source === 'staff' ? 'staff' : 'code',
  };
}

/** The current end of premium: null for no end, undefined when the member is not premium now. */
export function entitlementUntil(entitlement: Entitlement, nowSeconds: number): number | null | undefined {
  if (!entitlement.active) return undefined;
  if (entitlement.until === null) return null;
  return entitlement.until > nowSeconds ? entitlement.until : undefined;
}

/**
 * Where a change starts from. Members granted premium before the record existed have only
 * claims; for them the claims stand in until their first change writes a record.
 */
export function startingUntil(
  entitlement: Entitlement | undefined,
  claims: Claims | undefined,
  nowSeconds: number,
): number | null | undefined {
  return entitlement ? entitlementUntil(entitlement, nowSeconds) : currentUntil(claims, nowSeconds);
}
