/** Runs one bundled test file in a fresh Chromium context and reads mocha's outcomes from the page. */
import type { Browser } from 'playwright-core';
import { HARNESS_ENTRY, SETUP_ENTRY } from './bundle.js';
import type { FileResult, PageConfig, PageState } from './types.js';

/** JSON safe inside a <script> element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/</g, '\\u003c')
    .replace(/\u2028/g, '\\u2028')
    .replace(/\u2029/g, '\\u2029');
}

/**
 * mocha's browser build first, then the config (and the `process.env` the suite's settings shim
 * reads), then the harness, chai-as-promised, and the test file.
 */
export function pageHtml(config: PageConfig): string {
  return `<!doctype html>
<meta charset="utf-8">
<link rel="icon" href="data:,">
<title>firestore-sdk conformance: ${config.entry}</title>
<script src="/mocha.js"></script>
<script>
globalThis.__CONFORMANCE__ = ${scriptJson(config)};
globalThis.process = { env: globalThis.__CONFORMANCE__.env };
</script>
<script type="module">
import { setUp, run, failToLoad } from '/bundle/${HARNESS_ENTRY}.js';
import '/bundle/${SETUP_ENTRY}.js';
try {
  setUp();
  await import('/bundle/${config.entry}.js');
  run();
} catch (e) {
  failToLoad(e);
}
</script>
`;
}

export interface PageRun {
  browser: Browser;
  origin: string;
  setPage(path: string, html: string): void;
  file: string;
  config: PageConfig;
  fileTimeoutMs: number;
  /** Console output, page errors and crashes of the page, line by line. */
  log(line: string): void;
}

export async function runFileInPage(run: PageRun): Promise<FileResult> {
  const started = Date.now();
  // A fresh context per file: its own IndexedDB and storage, as each Node run is its own process.
  const context = await run.browser.newContext();
  try {
    const page = await context.newPage();
    page.on('console', (m) => run.log(`[console.${m.type()}] ${m.text()}`));
    page.on('pageerror', (e) => run.log(`[pageerror] ${e.stack ?? e.message}`));
    page.on('crash', () => run.log('[crash] the page crashed'));
    const path = `/run/${run.config.mode}/${run.config.entry}.html`;
    run.setPage(path, pageHtml(run.config));
    await page.goto(run.origin + path);
    let timedOut = false;
    try {
      await page.waitForFunction(
        () =>
          (globalThis as unknown as { __CONFORMANCE_STATE__?: PageState }).__CONFORMANCE_STATE__?.done ===
          true,
        undefined,
        { timeout: run.fileTimeoutMs, polling: 250 },
      );
    } catch (e) {
      timedOut = true;
      run.log(`[driver] ${e instanceof Error ? e.message : String(e)}`);
    }
    const state = await page
      .evaluate(
        () => (globalThis as unknown as { __CONFORMANCE_STATE__?: PageState }).__CONFORMANCE_STATE__ ?? null,
      )
      .catch((e: unknown) => {
        run.log(`[driver] reading results failed: ${String(e)}`);
        return null;
      });
    return {
      file: run.file,
      mode: run.config.mode,
      tests: state?.results ?? [],
      multiTabCaches: state?.multiTabCaches ?? 0,
      timedOut,
      ...(state?.loadError !== undefined ? { loadError: state.loadError } : {}),
      wallMs: Date.now() - started,
    };
  } finally {
    await context.close().catch(() => undefined);
  }
}
