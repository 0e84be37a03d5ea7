/** Shapes shared by the driver (Node) and the page (Chromium) of the browser conformance runner. */

/**
 * memory: the suite's `Persistence=memory_lru_gc` suites and every suite outside apiDescribe.
 * persistent: the suite's `Persistence=indexeddb` suites, whose `persistentLocalCache()` gets
 * `persistentMultipleTabManager()` (issue 19).
 */
export type CacheMode = 'memory' | 'persistent';

/** What the page reads from `globalThis.__CONFORMANCE__` before the test file is imported. */
export interface PageConfig {
  /** Bundle chunk of the test file, relative to /bundle/. */
  entry: string;
  mode: CacheMode;
  testTimeoutMs: number;
  /** Every Firestore the suite creates without a transport setting gets experimentalForceLongPolling. */
  forceLongPolling: boolean;
  /** Becomes `process.env` in the page: the suite's settings shim reads the emulator from it. */
  env: Record<string, string>;
}

export interface TestResult {
  title: string;
  state: 'passed' | 'failed' | 'pending';
  durationMs?: number;
  error?: string;
  stack?: string;
}

/** What the page leaves on `globalThis.__CONFORMANCE_STATE__`. */
export interface PageState {
  results: TestResult[];
  done: boolean;
  /** Set when the test file could not be loaded or mocha could not start. */
  loadError?: string;
  /** Persistent caches the shim gave `persistentMultipleTabManager()`: proof the mode took effect. */
  multiTabCaches: number;
  /** Firestore instances the shim gave experimentalForceLongPolling. */
  longPollingFirestores: number;
  /** performance.now() when the test file had loaded and when mocha ended. */
  loadedAtMs?: number;
  endedAtMs?: number;
}

export interface FileResult {
  /** Path inside the suite, e.g. test/integration/api/query.test.ts. */
  file: string;
  mode: CacheMode;
  tests: TestResult[];
  /** The file did not finish within the per-file limit; its tests so far are kept. */
  timedOut: boolean;
  loadError?: string;
  multiTabCaches: number;
  longPollingFirestores: number;
  wallMs: number;
}
