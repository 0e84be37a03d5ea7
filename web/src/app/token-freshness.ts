/**
 * The ID token is what rules and functions trust, and it can lag the account record by up to an
 * hour: after verifying in another tab, on the emulator's page or on another device, or after an
 * email change, the record says more than the token. Reads made with such a token are refused
 * ("You do not have access"). So before the app reads anything, and whenever the member may have
 * acted elsewhere, it compares the two and asks for a fresh token when they differ.
 */

export interface AccountRecord {
  emailVerified: boolean;
  email: string | null;
}

/** The token's claims; `email_verified` and `email` mirror the account record. */
export type TokenClaims = Record<string, unknown>;

export function tokenIsStale(record: AccountRecord, claims: TokenClaims): boolean {
  if (record.emailVerified !== (claims.email_verified === true)) return true;
  const tokenEmail = typeof claims.email === 'string' ? claims.email : null;
  return (record.email ?? null) !== tokenEmail;
}

export interface FreshnessUser extends AccountRecord {
  getIdTokenResult(): Promise<{ claims: TokenClaims }>;
  getIdToken(forceRefresh?: boolean): Promise<string>;
}

/**
 * Reloads the record, then refreshes the token if it says less. True when it refreshed. Network
 * failures are left to the caller: the page then runs with the token it has.
 */
export async function freshenToken(user: FreshnessUser, reload: () => Promise<void>): Promise<boolean> {
  await reload();
  const { claims } = await user.getIdTokenResult();
  if (!tokenIsStale(user, claims)) return false;
  await user.getIdToken(true);
  return true;
}
