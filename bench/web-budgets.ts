// The web client's size and speed budgets, shared by bench/web.bench.ts (which reports them) and
// test/build/production-build.test.ts (which fails the build when a budget is passed), so the
// two cannot drift apart.
export const WEB_BUDGETS = {
  /** KB gzip: the entry chunk and its static imports. */
  signInPageKb: 90,
  /** KB gzip: the live pages carry the full Firestore SDK with its multi-tab cache (issue 19). */
  largestPageKb: 250,
  /** KB gzip: every chunk; was 160 before the full SDK (~151 KB) joined Lite (issue 19). */
  totalKb: 280,
  /** ms: Largest Contentful Paint of the sign-in page. */
  signInLcpMs: 1000,
} as const;
