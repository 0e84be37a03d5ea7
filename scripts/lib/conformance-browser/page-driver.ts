/** Runs bundled test files in Chromium pages and reads mocha's outcomes from them. */
import type { Browser, BrowserContext, Page } from 'playwright-core';
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

/** An empty page of the runner's origin: loading it closes the previous file's connections. */
export const BLANK_PATH = '/blank.html';
export const BLANK_HTML =
  '<!doctype html><meta charset="utf-8"><link rel="icon" href="data:,"><title>blank</title>';

type Log = (line: string) => void;

/**
 * One browser context and page, reused from file to file: Chromium takes 0.5-2 s on this machine
 * to start a page's renderer. Between files the page goes blank and the origin's IndexedDB and
 * storage are deleted, so each file starts as in a fresh profile; when that cannot be done (a
 * database still open) or a file timed out or crashed, the next file gets a new context.
 */
export class PageSlot {
  private current: { context: BrowserContext; page: Page; used: boolean } | undefined;
  private log: Log = () => undefined;

  constructor(
    private readonly browser: Browser,
    private readonly origin: string,
  ) {}

  /** A page with nothing left from earlier files, logging to `log`. */
  async cleanPage(log: Log): Promise<Page> {
    this.log = log;
    if (this.current?.used) {
      const cleared = await this.clear(this.current.page).catch(() => false);
      if (!cleared) await this.reset();
    }
    if (!this.current) {
      const context = await this.browser.newContext();
      const page = await context.newPage();
      page.on('console', (m) => this.log(`[console.${m.type()}] ${m.text()}`));
      page.on('pageerror', (e) => this.log(`[pageerror] ${e.stack ?? e.message}`));
      page.on('crash', () => this.log('[crash] the page crashed'));
      // Which request an error answer belongs to (the console only says "Failed to load resource").
      page.on('response', (r) => {
        if (r.status() >= 400) this.log(`[http ${r.status()}] ${r.request().method()} ${r.url()}`);
      });
      this.current = { context, page, used: false };
    }
    this.current.used = true;
    return this.current.page;
  }

  private async clear(page: Page): Promise<boolean> {
    await page.goto(this.origin + BLANK_PATH);
    return page.evaluate(async () => {
      localStorage.clear();
      sessionStorage.clear();
      const names = (await indexedDB.databases()).map((d) => d.name).filter((n) => n !== undefined);
      const deleted = await Promise.all(
        names.map(
          (name) =>
            new Promise<boolean>((resolve) => {
              const request = indexedDB.deleteDatabase(name);
              request.onsuccess = () => resolve(true);
              request.onerror = () => resolve(false);
              request.onblocked = () => resolve(false);
            }),
        ),
      );
      return deleted.every(Boolean);
    });
  }

  async reset(): Promise<void> {
    const context = this.current?.context;
    this.current = undefined;
    await context?.close().catch(() => undefined);
  }
}

export interface PageRun {
  slot: PageSlot;
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
  let crashed = false;
  const log: Log = (line) => {
    if (line.startsWith('[crash]')) crashed = true;
    run.log(line);
  };
  const page = await run.slot.cleanPage(log);
  const path = `/run/${run.config.mode}/${run.config.entry}.html`;
  run.setPage(path, pageHtml(run.config));
  // Not waiting for `load`: the page's module runs the whole file.
  await page.goto(run.origin + path, { waitUntil: 'commit' });
  let timedOut = false;
  try {
    await page.waitForFunction(
      () =>
        (globalThis as unknown as { __CONFORMANCE_STATE__?: PageState }).__CONFORMANCE_STATE__?.done === true,
      undefined,
      { timeout: run.fileTimeoutMs, polling: 100 },
    );
  } catch (e) {
    timedOut = true;
    log(`[driver] ${e instanceof Error ? e.message : String(e)}`);
  }
  const state = await page
    .evaluate(
      () => (globalThis as unknown as { __CONFORMANCE_STATE__?: PageState }).__CONFORMANCE_STATE__ ?? null,
    )
    .catch((e: unknown) => {
      log(`[driver] reading results failed: ${String(e)}`);
      return null;
    });
  log(`[driver] test file loaded at ${state?.loadedAtMs} ms, mocha ended at ${state?.endedAtMs} ms`);
  if (timedOut || crashed) await run.slot.reset();
  return {
    file: run.file,
    mode: run.config.mode,
    tests: state?.results ?? [],
    multiTabCaches: state?.multiTabCaches ?? 0,
    longPollingFirestores: state?.longPollingFirestores ?? 0,
    timedOut,
    ...(state?.loadError !== undefined ? { loadError: state.loadError } : {}),
    wallMs: Date.now() - started,
  };
}
