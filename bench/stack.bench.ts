// The local stack: firebase-tools' Auth + Functions emulators alone vs. with our emulators beside
// them (what ours add to start-up and memory), `npm start` until the app is usable, and the wall
// time of `npm test`.
import { spawn } from 'node:child_process';
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

/** Resident memory of every process in the given process groups, in MiB. */
function groupRssMiB(groups: number[]): number {
  let kib = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const pgrp = Number(fields[2]);
      if (!groups.includes(pgrp)) continue;
      const status = readFileSync(`/proc/${entry}/status`, 'utf8');
      kib += Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
    } catch {
      // The process ended while we looked.
    }
  }
  return kib / 1024;
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

async function timeBackend(offline: boolean): Promise<{ seconds: number; rss: number }> {
  await portsClosed();
  const started = performance.now();
  const backend = await startBackend({ quiet: true, offline });
  const seconds = (performance.now() - started) / 1000;
  await new Promise((r) => setTimeout(r, 1000));
  const rss = groupRssMiB(backend.processGroups());
  await backend.stop();
  return { seconds, rss };
}

const firebaseOnly: number[] = [];
const full: number[] = [];
const firebaseRss: number[] = [];
const fullRss: number[] = [];
for (let i = 0; i < RUNS; i++) {
  // Alternate which configuration goes first (A B, B A, ...), so neither always runs on a machine
  // the other one just warmed up (file cache, JIT caches) or left busy.
  const order = i % 2 === 0 ? [false, true] : [true, false];
  for (const offline of order) {
    const r = await timeBackend(offline);
    (offline ? full : firebaseOnly).push(r.seconds);
    (offline ? fullRss : firebaseRss).push(r.rss);
  }
}
const added = full.map((t, i) => t - (firebaseOnly[i] ?? t));

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
    samples: firebaseOnly,
    better: 'lower',
    anchor: '≈ 7 s on this machine class',
  },
  {
    name: 'stack: what our emulators add to start-up',
    method:
      'full backend minus firebase-tools alone, per pair of starts (order alternating), both started side by side',
    unit: 's',
    samples: added,
    budget: 0.5,
    better: 'lower',
  },
  {
    name: 'stack: resident memory, firebase-tools alone',
    method: 'sum of VmRSS over its process tree, 1 s after ready',
    unit: 'MiB',
    samples: firebaseRss,
    better: 'lower',
    anchor: '≈ 580 MB',
  },
  {
    name: 'stack: resident memory, full backend',
    method: 'sum of VmRSS over both process trees, 1 s after ready',
    unit: 'MiB',
    samples: fullRss,
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
