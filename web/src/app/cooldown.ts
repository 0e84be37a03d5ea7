/** Seconds left before an action may be repeated; 0 when it may run now. */
export function secondsLeft(lastAt: number | null, now: number, cooldownMs: number): number {
  if (lastAt === null) return 0;
  return Math.max(0, Math.ceil((lastAt + cooldownMs - now) / 1000));
}

const SENT_KEY = 'portal.verificationSentAt';

/** sessionStorage where there is one (the browser), so a reload does not reset the cooldown. */
function stored(): number | null {
  if (typeof sessionStorage === 'undefined') return null;
  const value = Number(sessionStorage.getItem(SENT_KEY));
  return Number.isFinite(value) && value > 0 ? value : null;
}

/** Verification emails may be resent once a minute; sign-up counts as the first send. */
export const verificationEmail = {
  cooldownMs: 60_000,
  markSent(now = Date.now()): void {
    if (typeof sessionStorage !== 'undefined') sessionStorage.setItem(SENT_KEY, String(now));
  },
  secondsLeft(now = Date.now()): number {
    return secondsLeft(stored(), now, this.cooldownMs);
  },
};
