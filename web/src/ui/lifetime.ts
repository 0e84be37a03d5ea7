/**
 * Ties a listener to a page's lifetime: `stop` runs once, when `signal` aborts (the router aborts
 * it when the page is replaced), or at once if the page is already gone.
 */
export function stopWith(signal: AbortSignal, stop: () => void): void {
  if (signal.aborted) stop();
  else signal.addEventListener('abort', () => stop(), { once: true });
}
