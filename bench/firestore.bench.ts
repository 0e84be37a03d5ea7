/**
 * Firestore emulator benchmarks (issue 4). Run: `npx tsx bench/firestore.bench.ts` after
 * `npm run build -w @member-portal/emulators`. Everything runs against the built CLI in a child
 * process, so start-up and memory are those of the real command.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { deleteApp, initializeApp } from 'firebase-admin/app';
import { type Firestore, getFirestore } from 'firebase-admin/firestore';
import { type BenchResult, median, report } from './harness.js';

const ROOT = join(import.meta.dirname, '..');
// Overridable to compare two builds in the same time window.
const CLI = process.env['BENCH_FIRESTORE_CLI'] ?? join(ROOT, 'emulators', 'bin', 'offline-emulators.js');

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

let appSeq = 0;
function admin(port: number): { db: Firestore; close: () => Promise<void> } {
  process.env['FIRESTORE_EMULATOR_HOST'] = `127.0.0.1:${port}`;
  const app = initializeApp({ projectId: 'demo-bench' }, `bench-${appSeq++}`);
  const db = getFirestore(app);
  return { db, close: () => deleteApp(app) };
}

const DOC_TEXT = 'x'.repeat(880);
function docData(i: number) {
  return {
    owner: `user${i % 100}`,
    n: i,
    text: DOC_TEXT,
    tags: ['a', 'b', `t${i % 7}`],
    at: new Date(1_700_000_000_000 + i),
  };
}

async function writeConcurrently(
  db: Firestore,
  count: number,
  offset: number,
  inFlight: number,
  collection = 'items',
): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  const worker = async () => {
    while (next < count) {
      const i = next++;
      await db.doc(`${collection}/d${offset + i}`).set(docData(offset + i));
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  return count / ((performance.now() - t0) / 1000);
}

async function main(): Promise<void> {
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
  }

  const { child, port } = await startChild();
  const { db, close } = admin(port);
  // Warm-up (JIT on both sides, the gRPC channel and its 100 streams), then start from empty.
  await writeConcurrently(db, 1000, 0, 100, 'warm');
  const cleared = await fetch(
    `http://127.0.0.1:${port}/emulator/v1/projects/demo-bench/databases/(default)/documents`,
    { method: 'DELETE' },
  );
  if (!cleared.ok) throw new Error(`clearing the warm-up documents failed: ${cleared.status}`);
  const writes: number[] = [];
  const serverCpu: number[] = [];
  const clientCpu: number[] = [];
  const N = 10_000;
  // Three runs of 10,000 / 3 writes each fill the 10,000 documents used below.
  const per = Math.ceil(N / 3);
  for (let r = 0; r < 3; r++) {
    const count = Math.min(per, N - r * per);
    const c0 = cpuMs(child.pid!);
    const u0 = process.cpuUsage();
    writes.push(await writeConcurrently(db, count, r * per, 100));
    const u = process.cpuUsage(u0);
    serverCpu.push((cpuMs(child.pid!) - c0) / count);
    clientCpu.push((u.user + u.system) / 1000 / count);
  }
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
        'spawn `node emulators/bin/offline-emulators.js start --only firestore`, poll GET / every 2 ms until 200',
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
      name: 'firestore: single-document writes/s',
      method:
        'firebase-admin doc().set() of ~1 KB documents, 100 in flight, ~3,333 writes per run, after 1,000 warm-up writes (then cleared)',
      unit: 'writes/s',
      samples: writes,
      budget: 3000,
      better: 'higher',
      anchor: '@firestore-emulator/server ~530 writes/s',
    },
    {
      name: 'firestore: emulator CPU per write',
      method: 'CPU time of the emulator process during the write runs / writes (the rest is the SDK)',
      unit: 'ms',
      samples: serverCpu,
      better: 'lower',
    },
    {
      name: 'firestore: firebase-admin client CPU per write',
      method: 'process.cpuUsage() of the bench process during the write runs / writes',
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
  for (const r of results) console.error(`${r.name}: median ${median(r.samples).toFixed(1)} ${r.unit}`);
  report(results);
  process.exit(0);
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
