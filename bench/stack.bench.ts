// The local stack: firebase-tools' Auth + Functions emulators alone vs. with our emulators beside
// them (what ours add to start-up and memory), `npm start` until the app is usable, and the wall
// time of `npm test`.
import { execFileSync, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startBackend } from '../scripts/lib/backend.js';
import { isPortOpen, stopProcess, waitFor } from '../scripts/lib/processes.js';
import { localPorts, ROOT } from '../scripts/lib/project.js';
import { existsSync } from 'node:fs';
import { type BenchResult, report } from './harness.js';

// firebase-tools' own start varies by seconds from run to run (12-19 s seen in one sitting, with
// single starts several seconds slower than the rest), so the difference needs more pairs than the
// other figures before its median settles.
const RUNS = Number(process.env.BENCH_STACK_RUNS ?? 9);

const CLOCK_TICKS = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());

/** Every live process in the given process groups, with its /proc/PID/stat fields after the name. */
function* groupProcesses(groups: number[]): Generator<{ pid: string; fields: string[] }> {
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (groups.includes(Number(fields[2]))) yield { pid: entry, fields };
    } catch {
      // The process ended while we looked.
    }
  }
}

/** Resident memory of every process in the given process groups, in MiB. */
function groupRssMiB(groups: number[]): number {
  let kib = 0;
  for (const { pid } of groupProcesses(groups)) {
    try {
      const status = readFileSync(`/proc/${pid}/status`, 'utf8');
      kib += Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    } catch {
      // The process ended while we looked.
    }
  }
  return kib / 1024;
}

/** CPU time (user + system, with reaped children) used so far by a process group, in seconds. */
function groupCpuSeconds(group: number): number {
  let ticks = 0;
  // utime, stime, cutime, cstime: fields 14-17 of /proc/PID/stat, 11-14 after the name.
  for (const { fields } of groupProcesses([group]))
    ticks += [11, 12, 13, 14].reduce((t, i) => t + Number(fields[i]), 0);
  return ticks / CLOCK_TICKS;
}

/**
 * firebase-tools can take longer to shut down than `npm start` waits for it, and a start while its
 * Auth port is still bound fails; so every measured start begins with the ports closed.
 */
async function portsClosed(): Promise<void> {
  const p = localPorts();
  const ports = [p.auth, p.functions, p.firestore, p.storage];
  await waitFor(
    'the emulator ports to close',
    async () => !(await Promise.all(ports.map((port) => isPortOpen(p.host, port)))).some(Boolean),
    60_000,
  );
}

interface Start {
  seconds: number;
  rss: number;
  /** Full backend only: how much later ours answered than firebase-tools (negative: sooner). */
  oursLaterSeconds?: number;
  /** Full backend only: CPU our emulators used from their start until firebase-tools was ready. */
  oursCpuSeconds?: number;
}

async function timeBackend(offline: boolean): Promise<Start> {
  await portsClosed();
  const started = performance.now();
  const backend = await startBackend({ quiet: true, offline });
  const seconds = (performance.now() - started) / 1000;
  const { offline: ours } = backend.processGroups;
  const oursCpuSeconds = ours === undefined ? undefined : groupCpuSeconds(ours);
  const { firebase, offline: oursReady } = backend.readyAfterMs;
  const oursLaterSeconds = oursReady === undefined ? undefined : (oursReady - firebase) / 1000;
  await new Promise((r) => setTimeout(r, 1000));
  const rss = groupRssMiB(Object.values(backend.processGroups));
  await backend.stop();
  return { seconds, rss, oursLaterSeconds, oursCpuSeconds };
}

const firebaseOnly: Start[] = [];
const full: Start[] = [];
for (let i = 0; i < RUNS; i++) {
  // Alternate which configuration goes first (A B, B A, ...), so neither always runs on a machine
  // the other one just warmed up (file cache, JIT caches) or left busy.
  const order = i % 2 === 0 ? [false, true] : [true, false];
  for (const offline of order) (offline ? full : firebaseOnly).push(await timeBackend(offline));
}
const pairedDifference = full.map((f, i) => f.seconds - (firebaseOnly[i]?.seconds ?? f.seconds));
// Ours start beside firebase-tools and neither waits for the other, and the variables that point
// the functions at ours do not change firebase-tools' start (controlled pairs, bench/README.md). So
// ours can delay the stack's readiness by answering after firebase-tools does, or by taking CPU it
// needed, which is at most the CPU they use before it is ready.
const addedBound = full.map((f) => Math.max(0, f.oursLaterSeconds ?? 0) + (f.oursCpuSeconds ?? 0));

async function timeNpmStart(): Promise<number> {
  await portsClosed();
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts', 'dev.ts')], {
    cwd: ROOT,
    env: { ...process.env, BACKEND_LOGS: '0' },
    stdio: ['ignore', 'pipe', 'inherit'],
    detached: true,
  });
  let out = '';
  child.stdout.setEncoding('utf8');
  const running = new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: string) => {
      out += chunk;
      if (out.includes('Press Ctrl-C')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`npm start exited with ${code}:\n${out}`)));
  });
  await running;
  const url = /App\s+(http\S+)/.exec(out)?.[1] ?? 'http://127.0.0.1:5173/';
  const page = await fetch(url);
  if (!page.ok) throw new Error(`app answered ${page.status}`);
  const seconds = (performance.now() - started) / 1000;
  await stopProcess(child);
  return seconds;
}
const npmStart: number[] = [];
for (let i = 0; i < Math.min(RUNS, 2); i++) npmStart.push(await timeNpmStart());

const results: BenchResult[] = [
  {
    name: 'stack: firebase-tools Auth + Functions to ready',
    method: '`firebase emulators:start --only auth,functions` until "All emulators ready"',
    unit: 's',
    samples: firebaseOnly.map((r) => r.seconds),
    better: 'lower',
    anchor: '≈ 7 s on this machine class',
  },
  {
    name: 'stack: what our emulators add to start-up',
    method:
      'per start of the full backend: how much later ours answered than firebase-tools (0 if sooner) plus the CPU they used until it was ready, the most they can take from it',
    unit: 's',
    samples: addedBound,
    budget: 0.5,
    better: 'lower',
  },
  {
    name: 'stack: full backend minus firebase-tools alone',
    method:
      'wall-clock difference per pair of starts (order alternating); firebase-tools alone varies by seconds between starts, so this only bounds the effect loosely',
    unit: 's',
    samples: pairedDifference,
    better: 'lower',
  },
  {
    name: 'stack: resident memory, firebase-tools alone',
    method: 'sum of VmRSS over its process tree, 1 s after ready',
    unit: 'MiB',
    samples: firebaseOnly.map((r) => r.rss),
    better: 'lower',
    anchor: '≈ 580 MB',
  },
  {
    name: 'stack: resident memory, full backend',
    method: 'sum of VmRSS over both process trees, 1 s after ready',
    unit: 'MiB',
    samples: full.map((r) => r.rss),
    better: 'lower',
  },
  {
    name: 'stack: `npm start` until the app is usable',
    method: 'build + backend + Vite, until the URLs print and the app answers 200',
    unit: 's',
    samples: npmStart,
    better: 'lower',
  },
];
// `npm test` takes minutes, so the bench reads the wall time the last run recorded.
const summaryFile = join(ROOT, '.test-results', 'summary.json');
if (existsSync(summaryFile)) {
  const summary = JSON.parse(readFileSync(summaryFile, 'utf8')) as { wallSeconds: number; at: string };
  results.push({
    name: '`npm test` wall time',
    method: `last full run on this checkout (${summary.at}), from .test-results/summary.json`,
    unit: 's',
    samples: [summary.wallSeconds],
    budget: 600,
    better: 'lower',
  });
}
report(results);
process.exit(0);
