import { HttpsError } from 'firebase-functions/v2/https';
import { db } from '../admin.js';
import { consume, type WindowState } from './window.js';

/** The rateLimits/ document of one action for one member (functions only; rules deny clients). */
export function rateLimitPath(action: string, uid: string): string {
  return `rateLimits/${action}:${uid}`;
}

/**
 * Counts a call in a transaction, so concurrent calls cannot slip past the limit, and
 * refuses with `resource-exhausted` once the member has used up the window.
 */
export async function enforceRateLimit(
  action: string,
  uid: string,
  limit: number,
  windowMs: number,
  now: number = Date.now(),
): Promise<void> {
  const ref = db().doc(rateLimitPath(action, uid));
  const decision = await db().runTransaction(async (tx) => {
    const snapshot = await tx.get(ref);
    const state = snapshot.exists ? (snapshot.data() as WindowState) : undefined;
    const result = consume(state, now, limit, windowMs);
    if (result.allowed) tx.set(ref, result.next);
    return result;
  });
  if (!decision.allowed) {
    const minutes = Math.max(1, Math.ceil(decision.retryAfterMs / 60_000));
    throw new HttpsError(
      'resource-exhausted',
      `Too many requests. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`,
    );
  }
}
