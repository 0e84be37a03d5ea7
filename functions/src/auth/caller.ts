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
