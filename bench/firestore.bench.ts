/**
 * Firestore emulator benchmarks (issue 4). Run: `npx tsx bench/firestore.bench.ts` after
 * `npm run build -w @member-portal/emulators`. Everything runs against the built CLI in a child
 * process, so start-up and memory are those of the real command.
 */
import { type ChildProcess, fork, spawn } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { deleteApp, initializeApp } from 'firebase-admin/app';
import { type Firestore, getFirestore } from 'firebase-admin/firestore';
import { findGoogleEmulator } from '../emulators/src/firestore/test-support/differential/google.js';
import { type BenchResult, median, report } from './harness.js';
import { startWriter } from './support/writer-process.js';
import { fanOut, idleSessionsRss, writesWithListeners } from './support/webchannel-load.js';

const ROOT = join(import.meta.dirname, '..');
// Overridable to compare two builds in the same time window.
const CLI = process.env['BENCH_FIRESTORE_CLI'] ?? join(ROOT, 'emulators', 'bin', 'offline-emulators.cjs');

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const addr = s.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/** CPU time (user + system) consumed so far by a process, in ms. */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}

/** Bare `node -e 0` start-up on this machine, for context. */
function nodeBaseline(): Promise<number> {
  return new Promise((resolve) => {
    const t0 = performance.now();
    spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' }).once('exit', () =>
      resolve(performance.now() - t0),
    );
  });
}

function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : Number.NaN;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Spawns `node ...args(port)` and polls `GET /` every 2 ms until it answers 200. */
async function spawnUntilReady(
  args: (port: number) => string[],
): Promise<{ child: ChildProcess; port: number; readyMs: number }> {
  const port = await freePort();
  const { child, readyMs } = await spawnUntilAllReady([port], (ports) => args(ports[0]!));
  return { child, port, readyMs };
}

/** Spawns `node ...args(ports)` and polls `GET /` on every port every 2 ms until all answer 200. */
async function spawnUntilAllReady(
  ports: number[],
  args: (ports: number[]) => string[],
): Promise<{ child: ChildProcess; readyMs: number }> {
  const t0 = performance.now();
  const child = spawn(process.execPath, args(ports), {
    cwd: ROOT,
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const pending = new Set(ports);
  for (;;) {
    for (const port of [...pending]) {
      try {
        const r = await fetch(`http://127.0.0.1:${port}/`);
        if (r.status === 200) pending.delete(port);
      } catch {
        // not listening yet
      }
    }
    if (pending.size === 0) return { child, readyMs: performance.now() - t0 };
    if (performance.now() - t0 > 10_000) throw new Error('emulator did not become ready');
    await sleep(2);
  }
}

/** Issue 5's figure: the CLI with both emulators, ready when both ports answer. */
async function bothEmulatorsReady(): Promise<number> {
  const ports = [await freePort(), await freePort()];
  const { child, readyMs } = await spawnUntilAllReady(ports, ([fs, st]) => [
    CLI,
    'start',
    '--only',
    'firestore,storage',
    '--firestore-port',
    String(fs),
    '--storage-port',
    String(st),
  ]);
  await stopChild(child);
  return readyMs;
}

function startChild(): Promise<{ child: ChildProcess; port: number; readyMs: number }> {
  return spawnUntilReady((port) => [CLI, 'start', '--only', 'firestore', '--firestore-port', String(port)]);
}

/** The floor for "start to ready": a bare Node HTTP server, measured exactly like the emulator. */
async function httpBaseline(): Promise<number> {
  const { child, readyMs } = await spawnUntilReady((port) => [
    '-e',
    `require('http').createServer((q, s) => s.end('Ok')).listen(${port}, '127.0.0.1')`,
  ]);
  await stopChild(child);
  return readyMs;
}

async function stopChild(child: ChildProcess): Promise<void> {
  const done = new Promise((r) => child.once('exit', r));
  child.kill('SIGINT');
  await done;
}

const NULL_SERVER = join(ROOT, 'bench', 'support', 'null-commit-server.ts');

/**
 * One round of `count` writes spread over `writers` (100 in flight in all), starting at document
 * `offset` (numbers wrap at `wrap`). Answers writes/s over the whole round, and CPU ms per write on
 * each side.
 */
async function writeRound(
  writers: Awaited<ReturnType<typeof startWriter>>[],
  server: number | undefined,
  count: number,
  offset: number,
  collection: string,
  wrap?: number,
): Promise<{ perSecond: number; clientCpu: number; serverCpu: number }> {
  const share = count / writers.length;
  const c0 = server === undefined ? 0 : cpuMs(server);
  const t0 = performance.now();
  const reports = await Promise.all(
    writers.map((w, k) =>
      w.write({
        count: share,
        offset: offset + k * share,
        inFlight: 100 / writers.length,
        collection,
        ...(wrap === undefined ? {} : { wrap }),
      }),
    ),
  );
  const ms = performance.now() - t0;
  return {
    perSecond: count / (ms / 1000),
    clientCpu: reports.reduce((sum, r) => sum + r.cpuMs, 0) / count,
    serverCpu: server === undefined ? Number.NaN : (cpuMs(server) - c0) / count,
  };
}

/** The firebase-admin client's own ceiling: a client of support/null-commit-server.ts. */
async function startNullServer(): Promise<{ host: string; stop: () => void }> {
  const port = await freePort();
  const server = fork(NULL_SERVER, [String(port)], {
    execArgv: ['--import', 'tsx'],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  await new Promise((resolve) => server.once('message', resolve));
  return { host: `127.0.0.1:${port}`, stop: () => server.kill() };
}

function admin(port: number): { db: Firestore; close: () => Promise<void> } {
  process.env['FIRESTORE_EMULATOR_HOST'] = `127.0.0.1:${port}`;
  const app = initializeApp({ projectId: 'demo-bench' }, `bench-${appSeq++}`);
  const db = getFirestore(app);
  return { db, close: () => deleteApp(app) };
}
let appSeq = 0;

// ---- Google's Firestore emulator, side by side (issue 18) ----

/** VmRSS summed over a process and its descendants (Google's launcher is a shell running java). */
function treeRssMiB(root: number): number {
  const parent = new Map<number, number>();
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      parent.set(Number(e), Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]));
    } catch {
      // exited meanwhile
    }
  }
  const tree = new Set([root]);
  for (let grew = true; grew;) {
    grew = false;
    for (const [pid, ppid] of parent) {
      if (!tree.has(pid) && tree.has(ppid)) {
        tree.add(pid);
        grew = true;
      }
    }
  }
  let sum = 0;
  for (const pid of tree) {
    try {
      sum += rssMiB(pid);
    } catch {
      // exited meanwhile
    }
  }
  return sum;
}

/** CPU ms of a process and its children (Google's launcher is a shell running java). */
function treeCpuMs(root: number): number {
  let sum = 0;
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      const pid = Number(e);
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (pid === root || ppid === root) sum += cpuMs(pid);
    } catch {
      // exited meanwhile
    }
  }
  return sum;
}

/** Google's emulator as gcloud starts it, on a free port; ready when GET / answers 200. */
async function startGoogle(
  launcher: string,
): Promise<{ child: ChildProcess; port: number; readyMs: number }> {
  const port = await freePort();
  const t0 = performance.now();
  const child = spawn(launcher, ['start', '--host=127.0.0.1', `--port=${port}`], {
    detached: true,
    stdio: ['ignore', 'ignore', 'ignore'],
  });
  for (;;) {
    try {
      const r = await fetch(`http://127.0.0.1:${port}/`);
      if (r.status === 200) return { child, port, readyMs: performance.now() - t0 };
    } catch {
      // not listening yet
    }
    if (child.exitCode !== null) throw new Error(`Google's emulator exited with ${child.exitCode}`);
    if (performance.now() - t0 > 60_000) throw new Error("Google's emulator did not become ready");
    await sleep(2);
  }
}

async function stopGoogle(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const done = new Promise((r) => child.once('exit', r));
  process.kill(-child.pid!, 'SIGTERM');
  await Promise.race([done, sleep(5000)]);
  if (child.exitCode === null) process.kill(-child.pid!, 'SIGKILL');
}

interface LoadFigures {
  pairWrites: number[];
  soloWrites: number[];
  loaded: number[];
  queryRuns: number[];
}

const QUERY = (db: Firestore) =>
  db.collection('items').where('owner', '==', 'user42').orderBy('n', 'desc').limit(20).get();

/** 20 warm-up queries, then the median of 50 per run. */
async function queryRunsOf(db: Firestore, runs: number): Promise<number[]> {
  const check = await QUERY(db);
  if (check.size !== 20 || check.docs[0]?.get('n') !== 9942)
    throw new Error('query returned unexpected results');
  for (let i = 0; i < 20; i++) await QUERY(db);
  const out: number[] = [];
  for (let r = 0; r < runs; r++) {
    const samples: number[] = [];
    for (let i = 0; i < 50; i++) {
      const t0 = performance.now();
      await QUERY(db);
      samples.push(performance.now() - t0);
    }
    out.push(median(samples));
  }
  return out;
}

/**
 * The write, memory and query figures of our bench, against Google's emulator: the same clients,
 * documents and query, fewer rounds (its writes are slower). Warm-up 4,000 writes per client
 * configuration on 2,000 rewritten documents, then cleared; 5 rounds of 2,000 writes per
 * configuration leave items/d0..d9999.
 */
async function googleLoad(launcher: string): Promise<LoadFigures> {
  const { child, port } = await startGoogle(launcher);
  try {
    const host = `127.0.0.1:${port}`;
    const solo = [await startWriter(host)];
    const pair = [await startWriter(host), await startWriter(host)];
    for (const writers of [solo, pair]) await writeRound(writers, undefined, 4000, 0, 'warm', 2000);
    const cleared = await fetch(
      `http://127.0.0.1:${port}/emulator/v1/projects/demo-bench/databases/(default)/documents`,
      { method: 'DELETE' },
    );
    if (!cleared.ok) throw new Error(`clearing Google's emulator failed: ${cleared.status}`);
    const soloWrites: number[] = [];
    const pairWrites: number[] = [];
    for (let r = 0; r < 5; r++) {
      const offset = r * 2000;
      soloWrites.push((await writeRound(solo, undefined, 2000, offset, 'items')).perSecond);
      pairWrites.push((await writeRound(pair, undefined, 2000, offset, 'items')).perSecond);
    }
    for (const w of [...solo, ...pair]) w.stop();
    const { db, close } = admin(port);
    await sleep(3000);
    const loaded = [treeRssMiB(child.pid!)];
    const queryRuns = await queryRunsOf(db, 5);
    for (let r = 0; r < 2; r++) {
      await sleep(3000);
      loaded.push(treeRssMiB(child.pid!));
    }
    await close();
    return { pairWrites, soloWrites, loaded, queryRuns };
  } finally {
    await stopGoogle(child);
  }
}

/** Google's figure and Google's / ours, for one of our rows. */
function sideBySide(ours: BenchResult, google: number[], what: string, method: string): BenchResult[] {
  const ratio = median(google) / median(ours.samples);
  return [
    {
      name: `${ours.name.replace(/^firestore:/, "firestore, Google's emulator:")}`,
      method: `${method} (gcloud's cloud_firestore_emulator ${what})`,
      unit: ours.unit,
      samples: google,
      better: ours.better,
    },
    {
      name: `${ours.name.replace(/^firestore:/, "firestore, Google's emulator / ours:")}`,
      method: `median of Google's row / median of ours, same bench run (${ratio >= 1 ? 'Google higher' : 'Google lower'}; ${ours.better} is better)`,
      unit: '×',
      samples: [ratio],
      better: ours.better === 'higher' ? 'lower' : 'higher',
    },
  ];
}

/**
 * Issue 19: browser-style WebChannel listeners (Node clients speaking the protocol over HTTP, a
 * streaming back channel each; bench/support/webchannel-load.ts), ours and Google's emulator in
 * turn, each on fresh processes.
 */
async function webChannelRows(google: ReturnType<typeof findGoogleEmulator>): Promise<BenchResult[]> {
  const FAN = { listenerCount: 100, runs: 5, writes: 20 };
  const LOAD = { listenerCount: 100, runs: 5, count: 2000, warmUp: 4000 };
  const IDLE = 500;
  const MEMORY_RUNS = 3;
  // With 100 listeners Google's emulator commits a few writes a second; a round of 1,000 would take
  // minutes and its writes time out after 60 s.
  const GOOGLE_ROUND_MS = 20_000;
  type Side = { rss: number[]; perSession: number[]; fan: Awaited<ReturnType<typeof fanOut>> } & Awaited<
    ReturnType<typeof writesWithListeners>
  >;
  const measure = async (
    start: () => Promise<{ child: ChildProcess; port: number }>,
    stop: (c: ChildProcess) => Promise<void>,
    rss: (pid: number) => number,
    load: typeof LOAD & { stopAfterMs?: number },
    cpu: (pid: number) => number,
  ): Promise<Side> => {
    const rssRuns: number[] = [];
    const perSession: number[] = [];
    for (let i = 0; i < MEMORY_RUNS; i++) {
      console.error(`webchannel: idle sessions, run ${i + 1}`);
      const { child, port } = await start();
      const m = await idleSessionsRss(port, () => rss(child.pid!), IDLE);
      rssRuns.push(m.after);
      perSession.push(m.perSessionKiB);
      await stop(child);
    }
    const fanned = await start();
    const { db, close } = admin(fanned.port);
    console.error('webchannel: fan-out');
    const fan = await fanOut(fanned.port, db, FAN);
    await close();
    await stop(fanned.child);
    // A fresh process: Google's emulator keeps a thread per session ever opened.
    const { child, port } = await start();
    console.error('webchannel: writes with and without listeners');
    const writes = await writesWithListeners(port, load, () => cpu(child.pid!));
    await stop(child);
    return { rss: rssRuns, perSession, fan, ...writes };
  };
  const ours = await measure(startChild, stopChild, rssMiB, LOAD, cpuMs);
  const rows: BenchResult[] = [
    {
      name: 'firestore: WebChannel fan-out, admin write to the last of 100 listeners (median)',
      method: `100 Node WebChannel clients (streaming back channel) listening to one collection; a firebase-admin set() of a small document until every client's stream carried it; median of ${FAN.writes} sequential writes per run, after a warm-up run`,
      unit: 'ms',
      samples: ours.fan.medians,
      better: 'lower',
    },
    {
      name: 'firestore: WebChannel fan-out, admin write to the last of 100 listeners (p95)',
      method: `as above, 95th percentile of the ${FAN.writes} writes per run`,
      unit: 'ms',
      samples: ours.fan.p95s,
      better: 'lower',
    },
    {
      name: 'firestore: writes/s with 100 WebChannel listeners on the written collection',
      method: `2 firebase-admin processes, 50 in flight each, ${LOAD.count} new ~1 KB documents per run into a collection 100 Node WebChannel clients (streaming) listen to, after ${LOAD.warmUp} warm-up writes`,
      unit: 'writes/s',
      samples: ours.withListeners,
      better: 'higher',
    },
    {
      name: 'firestore: writes/s, the same rounds without listeners',
      method:
        'the same writers and load into a fresh collection with no channel open, interleaved with the rounds above',
      unit: 'writes/s',
      samples: ours.without,
      better: 'higher',
    },
    {
      name: 'firestore: writes/s with 100 WebChannel listeners as a share of without',
      method:
        'per run, writes/s with the listeners / writes/s without (issue 19: ours should lose under 30%)',
      unit: '%',
      samples: ours.share,
      budget: 70,
      better: 'higher',
    },
    {
      name: 'firestore: emulator CPU per write with 100 WebChannel listeners on the written collection',
      method:
        'CPU time of the emulator process during the rounds with listeners / writes (less sensitive to the host load than writes/s)',
      unit: 'ms',
      samples: ours.cpuWith,
      better: 'lower',
    },
    {
      name: 'firestore: emulator CPU per write, the same rounds without listeners',
      method: 'CPU time of the emulator process during the rounds without listeners / writes',
      unit: 'ms',
      samples: ours.cpuWithout,
      better: 'lower',
    },
    {
      name: "firestore: listening clients' CPU per write, 100 WebChannel listeners",
      method:
        'CPU time of the bench process (the 100 Node WebChannel clients reading their streams) during the rounds with listeners, until delivery / writes; the clients share the 2 cores with the emulator and the writers',
      unit: 'ms',
      samples: ours.listenerCpuWith,
      better: 'lower',
    },
    {
      name: "firestore: writer processes' CPU per write with 100 WebChannel listeners",
      method: 'CPU time of the 2 firebase-admin writer processes during the rounds with listeners / writes',
      unit: 'ms',
      samples: ours.writerCpuWith,
      better: 'lower',
    },
    {
      name: "firestore: writer processes' CPU per write, the same rounds without listeners",
      method: 'the same during the rounds without listeners',
      unit: 'ms',
      samples: ours.writerCpuWithout,
      better: 'lower',
    },
    {
      name: `firestore: resident memory with ${IDLE} idle WebChannel sessions`,
      method: `VmRSS 3 s after opening ${IDLE} Listen channels, each with a one-document target and an open streaming back channel, on a fresh process (after 5 warm-up channels)`,
      unit: 'MiB',
      samples: ours.rss,
      better: 'lower',
    },
    {
      name: 'firestore: resident memory per idle WebChannel session',
      method: `(VmRSS with the ${IDLE} sessions − VmRSS before them) / ${IDLE}`,
      unit: 'KiB',
      samples: ours.perSession,
      better: 'lower',
    },
  ];
  if ('skip' in google) return rows;
  const g = await measure(
    async () => startGoogle(google.launcher),
    stopGoogle,
    treeRssMiB,
    { ...LOAD, runs: 3, count: 1000, warmUp: 2000, stopAfterMs: GOOGLE_ROUND_MS },
    treeCpuMs,
  );
  const failed =
    g.failedWith > 0 ? `; ${g.failedWith} writes failed (DEADLINE_EXCEEDED) and are not counted` : '';
  const googleSamples = [
    g.fan.medians,
    g.fan.p95s,
    g.withListeners,
    g.without,
    g.share,
    g.cpuWith,
    g.cpuWithout,
    g.listenerCpuWith,
    g.writerCpuWith,
    g.writerCpuWithout,
    g.rss,
    g.perSession,
  ];
  const googleMethods = [
    'the same 100 clients and writes',
    'the same',
    `the same writers and listeners, 3 runs of 1,000 writes after 2,000 warm-up writes (slower), no write started after ${GOOGLE_ROUND_MS / 1000} s in a round${failed}`,
    'the same, interleaved',
    'the same',
    'CPU of the launcher and java during those rounds / writes',
    'the same',
    'the same clients',
    'the same writers',
    'the same',
    'VmRSS of the launcher and java, the same sessions',
    'the same',
  ];
  return rows.flatMap((row, i) => [
    row,
    ...sideBySide(row, googleSamples[i]!, 'WebChannel', googleMethods[i]!),
  ]);
}

async function main(): Promise<void> {
  if (process.env['BENCH_FIRESTORE_ONLY'] === 'webchannel') {
    // Only the WebChannel rows (about 3 minutes with Google's side).
    process.setSourceMapsEnabled(false);
    const rows = await webChannelRows(findGoogleEmulator());
    for (const r of rows) console.error(`${r.name}: median ${median(r.samples).toFixed(1)} ${r.unit}`);
    report(rows);
    process.exit(0);
  }
  // As in support/admin-writer.ts: firebase-admin captures a stack per request, which tsx's source
  // maps would make the client pay for in the query figures.
  process.setSourceMapsEnabled(false);
  const START_RUNS = 7;
  // The bench's own first fetch() loads undici (tens of ms); pay it before anything is timed.
  await fetch('http://127.0.0.1:1/').catch(() => undefined);
  const baseline: number[] = [];
  const httpFloor: number[] = [];
  const ready: number[] = [];
  const bothReady: number[] = [];
  const idle: number[] = [];
  const idleAfterGrpc: number[] = [];
  const firstGrpc: number[] = [];
  const google = findGoogleEmulator();
  if ('skip' in google) console.error(`firestore: Google's emulator side skipped: ${google.skip}`);
  const googleReady: number[] = [];
  const googleIdle: number[] = [];
  // Interleaved, so that machine load hits the baselines and the emulator alike.
  for (let i = 0; i < START_RUNS; i++) {
    baseline.push(await nodeBaseline());
    httpFloor.push(await httpBaseline());
    bothReady.push(await bothEmulatorsReady());
    const { child, port, readyMs } = await startChild();
    ready.push(readyMs);
    await sleep(500);
    idle.push(rssMiB(child.pid!));
    const t0 = performance.now();
    const { db, close } = admin(port);
    await db.doc('warm/up').get();
    firstGrpc.push(readyMs + performance.now() - t0);
    await sleep(3000);
    idleAfterGrpc.push(rssMiB(child.pid!));
    await close();
    await stopChild(child);
    if ('launcher' in google) {
      const g = await startGoogle(google.launcher);
      googleReady.push(g.readyMs);
      await sleep(500);
      googleIdle.push(treeRssMiB(g.child.pid!));
      await stopGoogle(g.child);
      // Let the JVM's exit settle before the next round's baselines.
      await sleep(1000);
    }
  }

  const { child, port } = await startChild();
  const host = `127.0.0.1:${port}`;
  const solo = [await startWriter(host)];
  const pair = [await startWriter(host), await startWriter(host)];
  const nullServer = await startNullServer();
  const toNull = [await startWriter(nullServer.host)];
  // Warm-up: JIT and heap sizing on every side, and the gRPC channels, then start from empty.
  // After 5,000 writes the first measured rounds sometimes still ran at half speed. The warm-up
  // rewrites the same 2,000 documents so the store stays small.
  const WARM_UP = 10_000;
  for (const [writers, pid] of [
    [solo, child.pid],
    [pair, child.pid],
    [toNull, undefined],
  ] as const)
    await writeRound(writers, pid, WARM_UP, 0, 'warm', 2000);
  const cleared = await fetch(
    `http://127.0.0.1:${port}/emulator/v1/projects/demo-bench/databases/(default)/documents`,
    { method: 'DELETE' },
  );
  if (!cleared.ok) throw new Error(`clearing the warm-up documents failed: ${cleared.status}`);
  const soloWrites: number[] = [];
  const pairWrites: number[] = [];
  const ceiling: number[] = [];
  const ofCeiling: number[] = [];
  const serverCpu: number[] = [];
  const clientCpu: number[] = [];
  // Rounds of 2,000 per configuration, interleaved so all see the same machine load. All write
  // items/d0..d9999 (later rounds update), so the store ends with the 10,000 documents the
  // figures below use.
  const RUNS = 7;
  const PER_RUN = 2000;
  const DOCS = 10_000;
  for (let r = 0; r < RUNS; r++) {
    const offset = (r * PER_RUN) % DOCS;
    const one = await writeRound(solo, child.pid, PER_RUN, offset, 'items');
    soloWrites.push(one.perSecond);
    serverCpu.push(one.serverCpu);
    clientCpu.push(one.clientCpu);
    pairWrites.push((await writeRound(pair, child.pid, PER_RUN, offset, 'items')).perSecond);
    const free = (await writeRound(toNull, undefined, PER_RUN, offset, 'items')).perSecond;
    ceiling.push(free);
    ofCeiling.push((100 * one.perSecond) / free);
  }
  for (const w of [...solo, ...pair, ...toNull]) w.stop();
  nullServer.stop();
  const { db, close } = admin(port);
  // Memory is measured at rest: the CLI runs full GCs after a second without requests.
  await sleep(3000);
  const loaded = [rssMiB(child.pid!)];

  const queryRuns: number[] = [];
  const q = () => db.collection('items').where('owner', '==', 'user42').orderBy('n', 'desc').limit(20).get();
  const check = await q();
  if (check.size !== 20 || check.docs[0]?.get('n') !== 9942)
    throw new Error('query returned unexpected results');
  for (let i = 0; i < 20; i++) await q();
  const queryServerCpu: number[] = [];
  const queryClientCpu: number[] = [];
  for (let r = 0; r < 5; r++) {
    const samples: number[] = [];
    const c0 = cpuMs(child.pid!);
    const u0 = process.cpuUsage();
    for (let i = 0; i < 50; i++) {
      const t0 = performance.now();
      await q();
      samples.push(performance.now() - t0);
    }
    const u = process.cpuUsage(u0);
    queryServerCpu.push((cpuMs(child.pid!) - c0) / samples.length);
    queryClientCpu.push((u.user + u.system) / 1000 / samples.length);
    queryRuns.push(median(samples));
  }
  for (let r = 0; r < 2; r++) {
    await sleep(3000);
    loaded.push(rssMiB(child.pid!));
  }
  await close();
  await stopChild(child);

  const results: BenchResult[] = [
    {
      name: 'firestore: start to ready',
      method:
        'spawn `node emulators/bin/offline-emulators.cjs start --only firestore`, poll GET / every 2 ms until 200',
      unit: 'ms',
      samples: ready,
      budget: 150,
      better: 'lower',
      anchor: 'official emulator ~2.5 s; @firestore-emulator/server ~180 ms',
    },
    {
      name: 'firestore + storage (CLI): start to ready',
      method:
        'spawn `offline-emulators start --only firestore,storage`, poll GET / on both ports every 2 ms until both answer 200',
      unit: 'ms',
      samples: bothReady,
      budget: 150,
      better: 'lower',
    },
    {
      name: 'firestore: bare `node -e 0` start (machine baseline)',
      method: 'spawn `node -e 0` until exit; context for the start-up budget',
      unit: 'ms',
      samples: baseline,
      better: 'lower',
    },
    {
      name: 'firestore: bare Node HTTP server start to ready (machine floor)',
      method:
        'spawn `node -e "require(\'http\').createServer(…).listen(port)"`, poll GET / every 2 ms until 200, interleaved with the emulator runs',
      unit: 'ms',
      samples: httpFloor,
      better: 'lower',
    },
    {
      name: 'firestore: start to first gRPC answer',
      method: 'as above, then a firebase-admin get(); the gRPC stack loads on the first HTTP/2 connection',
      unit: 'ms',
      samples: firstGrpc,
      better: 'lower',
    },
    {
      name: 'firestore: resident memory idle',
      method: 'VmRSS of the CLI process 500 ms after ready, no client connected yet',
      unit: 'MiB',
      samples: idle,
      budget: 60,
      better: 'lower',
      anchor: 'official emulator 95 MiB; @firestore-emulator/server 59 MiB',
    },
    {
      name: 'firestore: resident memory idle after first gRPC call',
      method: 'VmRSS 3 s after one firebase-admin get() (gRPC stack loaded)',
      unit: 'MiB',
      samples: idleAfterGrpc,
      better: 'lower',
    },
    {
      name: 'firestore: resident memory after 10,000 ~1 KB documents',
      method: 'VmRSS 3 s after writing 10,000 documents of ~1 KB via firebase-admin (and after the queries)',
      unit: 'MiB',
      samples: loaded,
      budget: 120,
      better: 'lower',
      anchor: 'official emulator 456 MiB after 1,000 docs; @firestore-emulator/server 146 MiB after 10k',
    },
    {
      name: 'firestore: single-document writes/s, 2 firebase-admin processes',
      method:
        'doc().set() of ~1 KB documents from 2 client processes, 50 in flight each (100 in all), 2,000 writes per run, after 10,000 warm-up writes (then cleared)',
      unit: 'writes/s',
      samples: pairWrites,
      budget: 3000,
      better: 'higher',
      anchor: '@firestore-emulator/server ~530 writes/s',
    },
    {
      name: 'firestore: single-document writes/s, 1 firebase-admin process',
      method:
        'as above from one client process with 100 in flight, interleaved with the runs above; bound by the client (compare the next row)',
      unit: 'writes/s',
      samples: soloWrites,
      better: 'higher',
    },
    {
      name: 'firestore: 1 firebase-admin process against a null server (client ceiling)',
      method:
        'the same client and load against bench/support/null-commit-server.ts (answers every Commit with a fixed response, does no work), interleaved with the runs above',
      unit: 'writes/s',
      samples: ceiling,
      better: 'higher',
    },
    {
      name: 'firestore: 1-process writes/s as a share of the null-server ceiling',
      method:
        'per run, the 1-process figure / the null-server figure of the same round (100% = the emulator costs the client nothing)',
      unit: '%',
      samples: ofCeiling,
      better: 'higher',
    },
    {
      name: 'firestore: emulator CPU per write',
      method: 'CPU time of the emulator process during the 1-process runs / writes',
      unit: 'ms',
      samples: serverCpu,
      better: 'lower',
    },
    {
      name: 'firestore: firebase-admin client CPU per write',
      method: 'CPU time of the client process during the 1-process runs / writes',
      unit: 'ms',
      samples: clientCpu,
      better: 'lower',
    },
    {
      name: 'firestore: equality + orderBy + limit 20 query over 10,000 docs',
      method:
        "firebase-admin where('owner','==',…).orderBy('n','desc').limit(20).get(), 20 warm-up queries, then median of 50 per run",
      unit: 'ms',
      samples: queryRuns,
      budget: 5,
      better: 'lower',
      anchor: '@firestore-emulator/server 33 ms',
    },
    {
      name: 'firestore: emulator CPU per query',
      method: 'CPU time of the emulator process during a query run / queries',
      unit: 'ms',
      samples: queryServerCpu,
      better: 'lower',
    },
    {
      name: 'firestore: firebase-admin client CPU per query',
      method: 'process.cpuUsage() of the bench process during a query run / queries',
      unit: 'ms',
      samples: queryClientCpu,
      better: 'lower',
    },
  ];
  if ('launcher' in google) {
    const g = await googleLoad(google.launcher);
    const row = (prefix: string) => results.find((r) => r.name.startsWith(prefix))!;
    results.push(
      ...sideBySide(
        row('firestore: start to ready'),
        googleReady,
        'start',
        'spawn the launcher with --host/--port, poll GET / every 2 ms until 200, interleaved with our start runs',
      ),
      ...sideBySide(
        row('firestore: resident memory idle'),
        googleIdle,
        'idle',
        'VmRSS of the launcher and its java process 500 ms after ready',
      ),
      ...sideBySide(
        row('firestore: resident memory after'),
        g.loaded,
        'after 10,000 documents',
        'VmRSS of the launcher and java 3 s after the writes below (and after the queries)',
      ),
      ...sideBySide(
        row('firestore: single-document writes/s, 2'),
        g.pairWrites,
        'writes',
        'the same 2 client processes and load, 5 rounds of 2,000 after 4,000 warm-up writes per configuration (then cleared)',
      ),
      ...sideBySide(
        row('firestore: single-document writes/s, 1'),
        g.soloWrites,
        'writes',
        'the same single client process, interleaved with the 2-process rounds',
      ),
      ...sideBySide(
        row('firestore: equality + orderBy'),
        g.queryRuns,
        'query',
        'the same firebase-admin query over the same 10,000 documents, 20 warm-up, median of 50 per run',
      ),
    );
  }
  results.push(...(await webChannelRows(google)));
  for (const r of results) console.error(`${r.name}: median ${median(r.samples).toFixed(1)} ${r.unit}`);
  report(results);
  process.exit(0);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
