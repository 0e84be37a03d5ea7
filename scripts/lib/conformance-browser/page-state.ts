/** The page's record of the run, on `globalThis` so the driver can read it with page.evaluate. */
import type { PageState } from './types.js';

export function pageState(): PageState {
  const scope = globalThis as unknown as { __CONFORMANCE_STATE__?: PageState };
  scope.__CONFORMANCE_STATE__ ??= { results: [], done: false, multiTabCaches: 0, longPollingFirestores: 0 };
  return scope.__CONFORMANCE_STATE__;
}
