/** What the member's token says about premium, as storage.rules will judge it. */
export interface PremiumAccess {
  active: boolean;
  /** Epoch seconds; null = no end date. */
  until: number | null;
  /** Had premium with an end date that has passed. */
  expired: boolean;
}

export function premiumAccess(claims: Record<string, unknown>, nowSeconds: number): PremiumAccess {
  if (claims.premium !== true) return { active: false, until: null, expired: false };
  const until = claims.premiumUntil;
  if (until === undefined || until === null) return { active: true, until: null, expired: false };
  if (typeof until !== 'number') return { active: false, until: null, expired: false };
  return until > nowSeconds
    ? { active: true, until, expired: false }
    : { active: false, until, expired: true };
}

export function describeAccess(access: PremiumAccess): string {
  if (access.active) {
    return access.until === null
      ? 'You have premium access.'
      : `You have premium access until ${formatDay(access.until)}.`;
  }
  if (access.expired && access.until !== null) {
    return `Your premium access ended on ${formatDay(access.until)}. Redeem a code to unlock premium items again.`;
  }
  return 'Premium items are locked. Redeem an access code to unlock them.';
}

export function formatDay(epochSeconds: number): string {
  return new Date(epochSeconds * 1000).toISOString().slice(0, 10);
}
