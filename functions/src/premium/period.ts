export const DAY_SECONDS = 86_400;

/**
 * When premium ends after adding `days`: from the current end if the member still has time
 * left (a code never shortens access), otherwise from now. `days` null grants no end date.
 */
export function extendPremium(
  current: number | null | undefined,
  nowSeconds: number,
  days: number | null,
): number | null {
  if (days === null || current === null) return null;
  const from = current !== undefined && current > nowSeconds ? current : nowSeconds;
  return from + days * DAY_SECONDS;
}
