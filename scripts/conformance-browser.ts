/**
 * Google's Firestore SDK integration suite (the shared runner's copy, never copied into the
 * project) in Chromium with the full browser SDK, against our emulator or Google's (issue 19).
 *
 *   npm run conformance:browser -- [--target ours|google] [--mode memory|persistent|both]
 *     [--emulator-port N] [--only substring] [--suite dir] [--workdir dir]
 *     [--long-polling] [--test-timeout ms] [--file-timeout s] [--jobs n] [--out dir]
 *
 * Each test file loads into a page of its own (--jobs pages at a time, default one after another;
 * the origin's IndexedDB and storage are deleted between files); results are printed per file and
 * per mode and written as JSON under --out, with each file's console log.
 */
import { spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { launchChromium } from '../test/support/browser.js';
import { bundleSuite, entryName } from './lib/conformance-browser/bundle.js';
import { type RunningEmulator, startGoogle, startOurEmulator } from './lib/conformance-browser/emulators.js';
import { BLANK_HTML, BLANK_PATH, PageSlot, runFileInPage } from './lib/conformance-browser/page-driver.js';
import { formatSummary, summarize } from './lib/conformance-browser/report.js';
import { startStaticServer } from './lib/conformance-browser/server.js';
import type { CacheMode, FileResult } from './lib/conformance-browser/types.js';
import { ROOT } from './lib/project.js';

const PROJECT = 'demo-fidelity';
/**
 * Run once before the counted runs, its results dropped: a freshly started Google emulator (JVM)
 * needs several seconds for its first WebChannel test, past the 10 s limit on a busy machine.
 */
const WARM_UP_FILE = 'test/integration/api/smoke.test.ts';

function fail(message: string): never {
  console.error(`conformance-browser: ${message}`);
  process.exit(2);
}

function parseOptions() {
  try {
    return parseArgs({
      options: {
        target: { type: 'string', default: 'ours' },
        mode: { type: 'string', default: 'both' },
        'emulator-port': { type: 'string' },
        only: { type: 'string' },
        suite: { type: 'string' },
        workdir: { type: 'string' },
        'test-timeout': { type: 'string', default: '10000' },
        'file-timeout': { type: 'string', default: '150' },
        out: { type: 'string' },
        jobs: { type: 'string', default: '1' },
        'long-polling': { type: 'boolean', default: false },
      },
    }).values;
  } catch (e) {
    fail(
      `${e instanceof Error ? e.message : String(e)} (options: see the top of scripts/conformance-browser.ts)`,
    );
  }
}
const args = parseOptions();

const target = args.target;
if (target !== 'ours' && target !== 'google') fail(`--target must be ours or google, not ${target}`);
const modes: CacheMode[] =
  args.mode === 'both'
    ? ['memory', 'persistent']
    : args.mode === 'memory' || args.mode === 'persistent'
      ? [args.mode]
      : fail(`--mode must be memory, persistent or both`);
const testTimeoutMs = Number(args['test-timeout']);
const fileTimeoutMs = Number(args['file-timeout']) * 1000;
if (!(testTimeoutMs > 0) || !(fileTimeoutMs > 0)) fail('timeouts must be positive numbers');
const forceLongPolling = args['long-polling'] === true;
const jobs = Number(args.jobs);
if (!Number.isInteger(jobs) || jobs < 1) fail('--jobs must be a positive integer');

const sharedDir = resolve(ROOT, '..', 'shared', 'conformance', 'firestore-sdk');
const suiteDir = resolve(args.suite ?? process.env.CONFORMANCE_SUITE ?? join(sharedDir, 'suite'));
const runnerDir = dirname(suiteDir);
const workDir = resolve(
  args.workdir ??
    process.env.CONFORMANCE_WORKDIR ??
    join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'firestore-sdk-conformance'),
);
const outDir = resolve(args.out ?? join(workDir, 'results-browser', target));
if (!existsSync(join(suiteDir, 'test', 'integration', 'api'))) fail(`no suite at ${suiteDir} (--suite)`);

/** mocha, chai and chai-as-promised as the shared runner installs them (npm ci in its work folder). */
function ensureTooling(): string {
  const modules = join(workDir, 'node_modules');
  if (existsSync(join(modules, 'mocha', 'mocha.js')) && existsSync(join(modules, 'chai-as-promised')))
    return modules;
  console.log(`installing the shared runner's tooling in ${workDir} (npm ci)`);
  mkdirSync(workDir, { recursive: true });
  for (const f of ['package.json', 'package-lock.json']) copyFileSync(join(runnerDir, f), join(workDir, f));
  const npm = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], { cwd: workDir, stdio: 'inherit' });
  if (npm.status !== 0) fail(`npm ci in ${workDir} failed`);
  return modules;
}

/** The files the Node runner runs: test/integration/api/*.test.ts and test/lite/*.test.ts. */
function testFiles(): string[] {
  const list = (dir: string): string[] =>
    readdirSync(join(suiteDir, dir))
      .filter((f) => f.endsWith('.test.ts'))
      .sort()
      .map((f) => `${dir}/${f}`);
  const all = [...list('test/integration/api'), ...list('test/lite')];
  return args.only ? all.filter((f) => f.includes(args.only!)) : all;
}

/** Runs `work` on every item, at most `limit` at a time (worker ids 0..limit-1); results in order. */
async function inParallel<T, R>(
  items: T[],
  limit: number,
  work: (item: T, worker: number) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (id: number): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await work(items[i]!, id);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, (_, id) => worker(id)));
  return out;
}

async function startEmulator(): Promise<RunningEmulator> {
  if (args['emulator-port']) {
    const port = Number(args['emulator-port']);
    return { port, describe: `already running on ${port}`, stop: async () => undefined };
  }
  if (target === 'google') {
    const google = await startGoogle();
    if ('skip' in google) fail(`Google's emulator cannot run here: ${google.skip}`);
    return google;
  }
  return startOurEmulator(join(runnerDir, 'emulator-config'), PROJECT, join(outDir, 'emulator.log'));
}

async function main(): Promise<number> {
  const t0 = Date.now();
  const toolModules = ensureTooling();
  const files = testFiles();
  if (files.length === 0) fail('no test file matches --only');
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(join(outDir, 'logs'), { recursive: true });

  const bundleDir = mkdtempSync(join(tmpdir(), 'conformance-browser-'));
  const cleanups: (() => Promise<void>)[] = [async () => rmSync(bundleDir, { recursive: true, force: true })];
  try {
    await bundleSuite({
      suiteDir,
      files: [...new Set([...files, WARM_UP_FILE])],
      sdkModules: join(ROOT, 'node_modules'),
      toolModules,
      outDir: bundleDir,
    });
    console.log(`bundled ${files.length} test files in ${Date.now() - t0} ms`);
    const server = await startStaticServer(
      { '/bundle/': bundleDir },
      { '/mocha.js': join(toolModules, 'mocha', 'mocha.js') },
    );
    cleanups.push(() => server.close());
    const emulator = await startEmulator();
    cleanups.push(() => emulator.stop());
    console.log(`emulator: ${emulator.describe} on 127.0.0.1:${emulator.port}; pages from ${server.origin}`);
    server.setPage(BLANK_PATH, BLANK_HTML);
    const browser = await launchChromium();
    cleanups.push(() => browser.close());

    const env = { FIRESTORE_EMULATOR_PORT: String(emulator.port), FIRESTORE_EMULATOR_PROJECT_ID: PROJECT };
    const warmSlot = new PageSlot(browser, server.origin);
    const warm = await runFileInPage({
      slot: warmSlot,
      origin: server.origin,
      setPage: server.setPage,
      file: WARM_UP_FILE,
      fileTimeoutMs,
      log: () => undefined,
      config: {
        entry: entryName(WARM_UP_FILE),
        mode: 'memory',
        testTimeoutMs: 60_000,
        forceLongPolling,
        env,
      },
    });
    await warmSlot.reset();
    console.log(`warm-up (${WARM_UP_FILE}, not counted): ${Math.round(warm.wallMs / 1000)} s`);

    const totals: string[] = [];
    let failed = 0;
    for (const mode of modes) {
      const tMode = Date.now();
      // One page per parallel job; a job's files follow one another in it.
      const slots = Array.from({ length: jobs }, () => new PageSlot(browser, server.origin));
      const runOne = async (file: string, job: number): Promise<FileResult> => {
        const logLines: string[] = [];
        const result = await runFileInPage({
          slot: slots[job]!,
          origin: server.origin,
          setPage: server.setPage,
          file,
          fileTimeoutMs,
          log: (line) => logLines.push(line),
          config: {
            entry: entryName(file),
            mode,
            testTimeoutMs,
            forceLongPolling,
            env,
          },
        });
        const logName = `${mode}__${file.replace(/\//g, '__')}.log`;
        writeFileSync(join(outDir, 'logs', logName), logLines.join('\n') + '\n');
        const n = (s: string): number => result.tests.filter((t) => t.state === s).length;
        console.log(
          `  [${mode}] ${file}: ${n('passed')} passed, ${n('failed')} failed, ${n('pending')} skipped` +
            `${mode === 'persistent' ? `, ${result.multiTabCaches} multi-tab caches` : ''}` +
            `${result.timedOut ? ', TIMED OUT' : ''}${result.loadError ? ', DID NOT LOAD' : ''}, ${Math.round(result.wallMs / 1000)} s`,
        );
        return result;
      };
      const results = await inParallel(files, jobs, runOne);
      for (const slot of slots) await slot.reset();
      const summary = summarize(results, fileTimeoutMs);
      const seconds = Math.round((Date.now() - tMode) / 1000);
      writeFileSync(
        join(outDir, `${mode}.json`),
        JSON.stringify({ target, mode, forceLongPolling, seconds, summary, results }, null, 1),
      );
      const title = `${target}, ${mode} cache${forceLongPolling ? ', long polling' : ''}`;
      console.log(formatSummary(title, summary));
      totals.push(`${mode}: ${summary.passed} passed, ${summary.failed} failed (${seconds} s)`);
      failed += summary.failed;
    }
    console.log(`\n${target}${forceLongPolling ? ' (long polling)' : ''}: ${totals.join('; ')}`);
    console.log(`wall time: ${Math.round((Date.now() - t0) / 1000)} s; reports in ${outDir}`);
    return failed === 0 ? 0 : 1;
  } finally {
    for (const c of cleanups.reverse()) await c().catch((e: unknown) => console.error(e));
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    console.error(e);
    process.exit(2);
  },
);
