// `npm test`: every check the project has, in one command. Runs all steps even after a
// failure so one run shows everything that is broken; exits non-zero if anything failed.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startBackend } from './lib/backend.js';
import { buildBackend } from './lib/build.js';
import { runCommand, runCommandKeepingTail } from './lib/processes.js';
import { ROOT } from './lib/project.js';

const RESULTS = join(ROOT, '.test-results');
const startedAt = Date.now();
rmSync(RESULTS, { recursive: true, force: true });
mkdirSync(RESULTS, { recursive: true });

let passed = 0;
let failed = 0;
const failures: string[] = [];

function tally(step: string, ok: boolean): void {
  if (ok) passed++;
  else {
    failed++;
    failures.push(step);
  }
}

/** A step's name as a file name in .test-results. */
function fileNameOf(step: string): string {
  return step.replace(/\W+/g, '-');
}

/** The last lines of each failed check, repeated before the summary. */
const failedTails: string[] = [];

async function check(step: string, command: string, args: string[]): Promise<void> {
  console.log(`\n▶ ${step}`);
  const { code, tail } = await runCommandKeepingTail(command, args, 40);
  tally(step, code === 0);
  if (code !== 0) {
    failedTails.push(`── ${step}: exit ${code}, its last lines:\n${tail.join('\n')}`);
    writeFileSync(join(RESULTS, `${fileNameOf(step)}.tail.log`), `${tail.join('\n')}\n`);
  }
}

/** Runs vitest projects and counts their individual tests from the JSON report. */
async function vitest(step: string, projects: string[], env?: Record<string, string>): Promise<void> {
  console.log(`\n▶ ${step}`);
  const report = join(RESULTS, `${fileNameOf(step)}.json`);
  const args = ['vitest', 'run', ...projects.flatMap((p) => ['--project', p])];
  const code = await runCommand(
    'npx',
    [...args, '--reporter=default', '--reporter=json', `--outputFile.json=${report}`],
    env,
  );
  try {
    const json = JSON.parse(readFileSync(report, 'utf8')) as {
      numPassedTests: number;
      numFailedTests: number;
    };
    passed += json.numPassedTests;
    failed += json.numFailedTests;
    if (json.numFailedTests > 0 || code !== 0) failures.push(step);
    if (code !== 0 && json.numFailedTests === 0) failed++; // e.g. a suite that failed to load
  } catch {
    tally(`${step} (no report)`, false);
  }
}

const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
for (const project of ['emulators', 'functions', 'web', 'tsconfig.tools.json']) {
  await check(`typecheck ${project}`, process.execPath, [tsc, '-p', project, '--noEmit']);
}
await check('lint (eslint)', 'npx', ['eslint', '.']);
await check('format (prettier --check)', 'npx', ['prettier', '--check', '.']);

let built = true;
try {
  await buildBackend();
} catch (error) {
  console.error(error);
  built = false;
}
tally('build', built);

await vitest('unit', ['unit']);

// Our Firestore emulator against Google's on a seeded corpus; prints why and passes when Java or
// Google's emulator is missing (issue 18).
await check('differential conformance (npm run conformance)', 'npx', [
  'tsx',
  'emulators/src/firestore/test-support/differential/run.ts',
]);

if (built) {
  console.log('\n▶ starting the local backend');
  try {
    const backend = await startBackend({ quiet: process.env.BACKEND_LOGS !== '1' });
    try {
      await vitest('integration and browser', ['integration', 'e2e'], backend.env);
    } finally {
      await backend.stop();
    }
  } catch (error) {
    console.error(error);
    tally('local backend', false);
  }
}

const summary = `${passed} passed, ${failed} failed`;
writeFileSync(join(RESULTS, 'summary.txt'), `${summary}\n`);
writeFileSync(
  join(RESULTS, 'summary.json'),
  JSON.stringify({
    passed,
    failed,
    failures,
    wallSeconds: (Date.now() - startedAt) / 1000,
    at: new Date().toISOString(),
  }),
);
for (const t of failedTails) console.log(`\n${t}`);
if (failures.length > 0) console.log(`\nFailed: ${failures.join('; ')}`);
console.log(`\n${summary}`);
process.exit(failed > 0 ? 1 : 0);
