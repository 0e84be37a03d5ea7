/**
 * Custom claims are one object per user shared by every feature (staff, premium, …), and
 * setCustomUserClaims replaces the whole object, so premium changes must keep the rest.
 */
export type Claims = Record<string, unknown>;

/** `untilSeconds` null means premium without an end date. */
export function withPremium(existing: Claims | undefined, untilSeconds: number | null): Claims {
  const { premiumUntil: _dropped, ...rest } = existing ?? {};
  return untilSeconds === null
    ? { ...rest, premium: true }
    : { ...rest, premium: true, premiumUntil: untilSeconds };
}

export function withoutPremium(existing: Claims | undefined): Claims {
  const { premium: _premium, premiumUntil: _until, ...rest } = existing ?? {};
  return rest;
}

/** The same test the rules apply: premium, and either no end or an end in the future. */
export function premiumActive(claims: Claims | undefined, nowSeconds: number): boolean {
  if (claims?.premium !== true) return false;
  const until = claims.premiumUntil;
  return until === undefined || until === null || (typeof until === 'number' && until > nowSeconds);
}

/** The current end of premium: null for no end, undefined when the member is not premium now. */
export function currentUntil(claims: Claims | undefined, nowSeconds: number): number | null | undefined {
  if (!premiumActive(claims, nowSeconds)) return undefined;
  const until = claims?.premiumUntil;
  return typeof until === 'number' ? until : null;
}
