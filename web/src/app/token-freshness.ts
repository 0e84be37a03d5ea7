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
 * Claims changed by staff or a function (staff, premium) are stamped with their time; a token
 * minted before the stamp carries the old claims. `iat` is whole seconds, so a token minted in the
 * same second as the change counts as older: one extra refresh rather than a missed one.
 */
export function claimsAreNewer(changedAtMs: number | null, claims: TokenClaims): boolean {
  if (changedAtMs === null) return false;
  const issuedAt = typeof claims.iat === 'number' ? claims.iat : 0;
  return changedAtMs >= issuedAt * 1000;
}

/**
 * Reloads the record, then refreshes the token if it says less than the record or predates the
 * last change of claims. True when it refreshed. Network failures are left to the caller: the page
 * then runs with the token it has.
 */
export async function freshenToken(
  user: FreshnessUser,
  reload: () => Promise<void>,
  claimsChangedAt: () => Promise<number | null> = async () => null,
): Promise<boolean> {
  await reload();
  const { claims } = await user.getIdTokenResult();
  if (!tokenIsStale(user, claims) && !claimsAreNewer(await claimsChangedAt(), claims)) return false;
  await user.getIdToken(true);
  return true;
}
