/**
 * Runs in the page, after mocha's browser build (a classic <script>) and the config script: sets
 * mocha up as the Node runner does (bdd, the per-test timeout, no retries), picks the suites of the
 * cache mode, and records each outcome on `globalThis.__CONFORMANCE_STATE__` for the driver.
 */
import { pageState as state } from './page-state.js';
import type { PageConfig, TestResult } from './types.js';

/** The parts of mocha's browser global used here. */
interface Runnable {
  fullTitle(): string;
  duration?: number;
}
interface Runner {
  on(event: 'test' | 'pass' | 'pending', listener: (test: Runnable) => void): Runner;
  on(event: 'fail', listener: (test: Runnable, err: unknown) => void): Runner;
  on(event: 'end', listener: () => void): Runner;
}
interface BrowserMocha {
  setup(options: {
    ui: 'bdd';
    timeout: number;
    retries: number;
    reporter: new () => object;
    grep: RegExp;
    invert?: true;
  }): void;
  run(): Runner;
}

const scope = globalThis as unknown as {
  mocha: BrowserMocha;
  __CONFORMANCE__: PageConfig;
};

/** The driver collects results itself; mocha's HTML reporter would only cost time. */
class SilentReporter {}

/** Every apiDescribe suite is registered once per persistence the page supports. */
const INDEXEDDB_SUITE = /\(Persistence=indexeddb\)/;

export function setUp(): void {
  const config = scope.__CONFORMANCE__;
  scope.mocha.setup({
    ui: 'bdd',
    timeout: config.testTimeoutMs,
    retries: 0,
    reporter: SilentReporter,
    grep: INDEXEDDB_SUITE,
    // mocha's setup calls invert() for the key whatever its value.
    ...(config.mode === 'memory' ? { invert: true as const } : {}),
  });
}

function describeError(err: unknown): Pick<TestResult, 'error' | 'stack'> {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    const prefix = typeof code === 'string' ? `[${code}] ` : '';
    return { error: `${err.name}: ${prefix}${err.message}`, stack: err.stack };
  }
  return { error: String(err) };
}

export function run(): void {
  const s = state();
  const results = s.results;
  s.loadedAtMs = Math.round(performance.now());
  scope.mocha
    .run()
    // Marks the page's console log (saved per file) with where each test begins.
    .on('test', (t) => console.info(`[test] ${t.fullTitle()}`))
    .on('pass', (t) => results.push({ title: t.fullTitle(), state: 'passed', durationMs: t.duration }))
    .on('pending', (t) => results.push({ title: t.fullTitle(), state: 'pending' }))
    .on('fail', (t, err) =>
      results.push({ title: t.fullTitle(), state: 'failed', durationMs: t.duration, ...describeError(err) }),
    )
    .on('end', () => {
      s.endedAtMs = Math.round(performance.now());
      s.done = true;
    });
}

export function failToLoad(err: unknown): void {
  const s = state();
  s.loadError = describeError(err).error;
  s.done = true;
}
