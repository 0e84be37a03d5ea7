/**
 * Storage emulator benchmarks (issue 5). Run: `npx tsx bench/storage.bench.ts`.
 *
 * - 20 MB resumable upload and download over loopback, raw HTTP (node:http, keep-alive) mirroring
 *   firebase/storage's protocol (start, chunks of 256 KiB × a doubling multiplier capped at 32 like the SDK's
 *   `maxChunkSize`, `upload, finalize`), budget ≥ 100 MB/s each.
 * - RSS growth of an emulator child process after storing 200 MB: bytes go to disk, so the
 *   figure must not scale with stored bytes.
 * - Start to ready: `startStorageEmulator()` until `GET /` answers 200, in-process, ≤ 150 ms.
 */
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { Agent, type IncomingHttpHeaders, request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { startStorageEmulator } from '../emulators/src/storage/index.js';
import { type BenchResult, median, report } from './harness.js';

const PROJECT = 'demo-bench';
const BUCKET = `${PROJECT}.appspot.com`;
const OPEN_RULES = `rules_version = '2';
service firebase.storage { match /b/{bucket}/o { match /{all=**} { allow read, write: if true; } } }`;
const MB = 1024 * 1024;
const RUNS = 5;

const agent = new Agent({ keepAlive: true });

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  bytes: number;
}

/** One request over a keep-alive node:http agent (lighter than fetch, so the client steals less CPU). */
function send(
  url: string,
  method: string,
  headers: Record<string, string>,
  body?: Uint8Array,
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, agent }, (res) => {
      let bytes = 0;
      res.on('data', (c: Buffer) => {
        bytes += c.length;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, bytes }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function resumableUpload(base: string, name: string, data: Uint8Array): Promise<void> {
  const start = await send(
    `${base}/v0/b/${BUCKET}/o?name=${encodeURIComponent(name)}`,
    'POST',
    {
      Authorization: 'Firebase owner',
      'X-Goog-Upload-Protocol': 'resumable',
      'X-Goog-Upload-Command': 'start',
      'X-Goog-Upload-Header-Content-Length': String(data.length),
      'X-Goog-Upload-Header-Content-Type': 'application/octet-stream',
      'Content-Type': 'application/json; charset=utf-8',
    },
    Buffer.from(JSON.stringify({ name, contentType: 'application/octet-stream' })),
  );
  const url = start.headers['x-goog-upload-url'];
  if (start.status !== 200 || typeof url !== 'string') throw new Error(`start failed: ${start.status}`);
  let offset = 0;
  let multiplier = 1;
  while (offset < data.length) {
    const size = Math.min(256 * 1024 * multiplier, data.length - offset);
    const last = offset + size === data.length;
    const res = await send(
      url,
      'POST',
      {
        Authorization: 'Firebase owner',
        'X-Goog-Upload-Command': last ? 'upload, finalize' : 'upload',
        'X-Goog-Upload-Offset': String(offset),
      },
      data.subarray(offset, offset + size),
    );
    if (res.status !== 200) throw new Error(`chunk failed: ${res.status}`);
    offset += size;
    multiplier = Math.min(multiplier * 2, 32);
  }
}

async function download(base: string, name: string): Promise<number> {
  const res = await send(`${base}/v0/b/${BUCKET}/o/${encodeURIComponent(name)}?alt=media`, 'GET', {
    Authorization: 'Firebase owner',
  });
  if (res.status !== 200) throw new Error(`download failed: ${res.status}`);
  return res.bytes;
}

function rssOf(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]);
  return kb / 1024;
}

/** Child mode: run an emulator and print its URL; the parent measures this process's RSS. */
async function child(): Promise<void> {
  const em = await startStorageEmulator({
    projectId: PROJECT,
    rules: OPEN_RULES,
    log: () => undefined,
  });
  process.stdout.write(`${em.url}\n`);
  process.stdin.resume();
  process.stdin.on('end', () => void em.stop().then(() => process.exit(0)));
}

/** Run `body` against an emulator in a child process (its own event loop, like a real client). */
async function withChild<T>(body: (url: string, pid: number) => Promise<T>): Promise<T> {
  const proc = spawn(process.execPath, [...process.execArgv, fileURLToPath(import.meta.url), '--child'], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    proc.stdout.once('data', (d: Buffer) => resolve(d.toString().trim()));
    proc.once('exit', (code) => reject(new Error(`child exited ${code}`)));
  });
  try {
    return await body(url, proc.pid!);
  } finally {
    proc.stdin.end();
    await new Promise((r) => proc.once('exit', r));
  }
}

function rssGrowth(): Promise<number> {
  return withChild(async (url, pid) => {
    const data = randomBytes(20 * MB);
    // Warm up code paths and buffers before the baseline.
    await resumableUpload(url, 'warm/0.bin', data);
    await download(url, 'warm/0.bin');
    const before = rssOf(pid);
    for (let i = 0; i < 10; i++) await resumableUpload(url, `rss/${i}.bin`, data);
    for (let i = 0; i < 10; i++) await download(url, `rss/${i}.bin`);
    await new Promise((r) => setTimeout(r, 200));
    return rssOf(pid) - before;
  });
}

async function main(): Promise<void> {
  const startup: number[] = [];
  for (let i = 0; i < RUNS + 1; i++) {
    const t0 = performance.now();
    const em = await startStorageEmulator({
      projectId: PROJECT,
      rules: OPEN_RULES,
      log: () => undefined,
    });
    const res = await fetch(`${em.url}/`);
    await res.arrayBuffer();
    const t1 = performance.now();
    await em.stop();
    if (res.status !== 200) throw new Error('not ready');
    if (i > 0) startup.push(t1 - t0); // the first run pays module JIT warm-up
  }

  const up: number[] = [];
  const down: number[] = [];
  await withChild(async (url) => {
    const data = randomBytes(20 * MB);
    await resumableUpload(url, 'warm.bin', data);
    await download(url, 'warm.bin');
    for (let i = 0; i < RUNS; i++) {
      const t0 = performance.now();
      await resumableUpload(url, `up/${i}.bin`, data);
      const t1 = performance.now();
      const n = await download(url, `up/${i}.bin`);
      const t2 = performance.now();
      if (n !== data.length) throw new Error(`downloaded ${n} bytes`);
      up.push(20 / ((t1 - t0) / 1000));
      down.push(20 / ((t2 - t1) / 1000));
    }
  });

  const rss: number[] = [];
  for (let i = 0; i < 3; i++) rss.push(await rssGrowth());

  const results: BenchResult[] = [
    {
      name: 'storage: 20 MB resumable upload',
      method:
        'Raw HTTP mirroring firebase/storage (start + doubling chunks up to 8 MiB + finalize), loopback, emulator in a child process.',
      unit: 'MB/s',
      samples: up,
      budget: 100,
      better: 'higher',
    },
    {
      name: 'storage: 20 MB download',
      method:
        'GET /v0/b/{b}/o/{p}?alt=media streamed from the blob file, loopback, emulator in a child process.',
      unit: 'MB/s',
      samples: down,
      budget: 100,
      better: 'higher',
    },
    {
      name: 'storage: RSS growth after storing 200 MB',
      method:
        'VmRSS of an emulator child process after 10 × 20 MB resumable uploads and downloads, minus after warm-up.',
      unit: 'MB',
      samples: rss,
      budget: 50,
      better: 'lower',
    },
    {
      name: 'storage: start to ready',
      method:
        'startStorageEmulator() (rules compiled, port 0) until GET / answers 200, in-process, after one warm-up start.',
      unit: 'ms',
      samples: startup,
      budget: 150,
      better: 'lower',
    },
  ];
  for (const r of results)
    process.stderr.write(`${r.name}: median ${median(r.samples).toFixed(1)} ${r.unit}\n`);
  report(results);
  agent.destroy();
}

if (process.argv.includes('--child')) await child();
else await main();
