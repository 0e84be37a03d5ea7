import { HttpsError } from 'firebase-functions/v2/https';

/** The parts of a callable's `request.auth` the project relies on. */
export interface CallerAuth {
  uid: string;
  token: Record<string, unknown>;
}

export interface Caller {
  uid: string;
  email: string | null;
  emailVerified: boolean;
}

/**
 * Turns the callable context into a caller, refusing anonymous calls with the code the
 * Firebase SDKs map to `functions/unauthenticated`.
 */
export function requireCaller(auth: CallerAuth | undefined): Caller {
  if (!auth) throw new HttpsError('unauthenticated', 'Sign in to call this function.');
  return {
    uid: auth.uid,
    email: typeof auth.token.email === 'string' ? auth.token.email : null,
    emailVerified: auth.token.email_verified === true,
  };
}

/**
 * Members who have not verified their email may only use the verification gate, so every
 * callable beyond it refuses them here as well as in the UI and the rules.
 */
export function requireVerifiedMember(auth: CallerAuth | undefined): Caller {
  const caller = requireCaller(auth);
  if (!caller.emailVerified) {
    throw new HttpsError('permission-denied', 'Verify your email address first.');
  }
  return caller;
}

/** Destructive actions demand a fresh sign-in, so a stolen or forgotten session cannot perform them. */
export const RECENT_SIGN_IN_MS = 5 * 60_000;

export function requireRecentSignIn(
  auth: CallerAuth | undefined,
  message: string,
  now: number = Date.now(),
  maxAgeMs: number = RECENT_SIGN_IN_MS,
): void {
  const authTime = auth?.token.auth_time;
  // auth_time is in seconds; a token without it cannot prove when its holder last signed in.
  if (typeof authTime !== 'number' || now - authTime * 1000 > maxAgeMs) {
    throw new HttpsError('failed-precondition', message);
  }
}
