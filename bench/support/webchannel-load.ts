/**
 * WebChannel rows of firestore.bench.ts (issue 19): listen fan-out, writes/s with listeners
 * attached, memory with idle sessions. The listeners are Node clients speaking the browser SDK's
 * WebChannel protocol over HTTP/1.1 (session creation with the first addTarget in the body, then a
 * streaming back channel, CI=0, as the SDK uses by default), one socket each. They only look for a
 * marker in each frame (no JSON parsing), so that the client costs little CPU beside the server's.
 */
import { Agent, type ClientRequest, request } from 'node:http';
import type { Firestore } from 'firebase-admin/firestore';
import { type Writer, startWriter } from './writer-process.js';

const PROJECT = 'demo-bench';
const DB = `projects/${PROJECT}/databases/(default)`;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** One Listen channel with one target and its streaming back channel. */
export interface Listener {
  /** Called with each back-channel frame's JSON text. */
  onFrame: (json: string) => void;
  close(): Promise<void>;
}

function form(msgs: unknown[], headers: Record<string, string>): string {
  const block = Object.entries(headers)
    .map(([k, v]) => `${k}:${v}\r\n`)
    .join('');
  const parts = [`headers=${encodeURIComponent(block)}`, `count=${msgs.length}`, 'ofs=0'];
  msgs.forEach((m, i) => parts.push(`req${i}___data__=${encodeURIComponent(JSON.stringify(m))}`));
  return parts.join('&');
}

function channelPath(params: Record<string, string>): string {
  const q = new URLSearchParams({ VER: '8', database: DB, ...params });
  return `/google.firestore.v1.Firestore/Listen/channel?${q}`;
}

/**
 * Creation and terminate requests go on fresh connections: Google's emulator closes idle kept-alive
 * connections, and a request sent on one as it closes fails with ECONNRESET.
 */
const shortRequests = new Agent({ keepAlive: false, maxSockets: Number.POSITIVE_INFINITY });

function httpText(
  port: number,
  method: string,
  path: string,
  body?: string,
): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        agent: shortRequests,
        host: '127.0.0.1',
        port,
        method,
        path,
        headers: body === undefined ? {} : { 'content-type': 'application/x-www-form-urlencoded' },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Opens a Listen channel on `port` with `target` as target 2 (as firebase-admin's owner
 * credential, so rules never decide), and attaches a streaming back channel.
 */
export async function openListener(
  agent: Agent,
  port: number,
  target: unknown,
  onFrame: (json: string) => void = () => {},
): Promise<Listener> {
  const created = await httpText(
    port,
    'POST',
    channelPath({ RID: '1', CVER: '22', zx: 'b', t: '1' }),
    form([{ database: DB, addTarget: { ...(target as object), targetId: 2 } }], {
      Authorization: 'Bearer owner',
      'Content-Type': 'text/plain',
    }),
  );
  const m = /\["c","([^"]+)"/.exec(created.text);
  if (created.status !== 200 || !m) throw new Error(`channel not created: ${created.status} ${created.text}`);
  const sid = m[1]!;
  // Frames may arrive before the caller's await resumes: the first handler comes with the call.
  const listener: Listener = { onFrame, close: async () => {} };
  // Chunks are kept apart until a frame is complete, so a frame that arrives in many pieces is not
  // re-joined per piece.
  let head = '';
  let pending: string[] = [];
  let have = 0;
  let need = -1;
  const take = (c: string) => {
    while (c.length > 0) {
      if (need < 0) {
        const nl = c.indexOf('\n');
        if (nl < 0) {
          head += c;
          return;
        }
        need = Number(head + c.slice(0, nl));
        head = '';
        c = c.slice(nl + 1);
      }
      if (have + c.length < need) {
        pending.push(c);
        have += c.length;
        return;
      }
      const cut = need - have;
      pending.push(c.slice(0, cut));
      lastFrame = pending.join('');
      listener.onFrame(lastFrame);
      c = c.slice(cut);
      pending = [];
      have = 0;
      need = -1;
    }
  };
  // As the SDK does, a back channel the server ends is attached again, acknowledging the last
  // message seen (found in the last frame only when needed, to keep the client cheap).
  let lastFrame = '';
  let lastId = 0;
  let closed = false;
  let req: ClientRequest;
  const attach = () => {
    if (lastFrame) {
      const ids = (JSON.parse(lastFrame) as [number][]).map((m) => m[0]);
      lastId = Math.max(lastId, ...ids);
      lastFrame = '';
    }
    req = request(
      {
        agent,
        host: '127.0.0.1',
        port,
        path: channelPath({
          RID: 'rpc',
          SID: sid,
          AID: String(lastId),
          CI: '0',
          TYPE: 'xmlhttp',
          zx: 'c',
          t: '1',
        }),
      },
      (res) => {
        res.setEncoding('utf8');
        res.on('data', take);
        res.on('error', () => {});
        res.on('end', () => {
          if (!closed && res.statusCode === 200) attach();
        });
      },
    );
    req.on('error', () => {});
    req.end();
  };
  attach();
  listener.close = async () => {
    closed = true;
    req.destroy();
    await httpText(port, 'POST', channelPath({ SID: sid, RID: '2', TYPE: 'terminate' }), '');
  };
  return listener;
}

const collectionTarget = (collectionId: string) => ({
  query: { parent: `${DB}/documents`, structuredQuery: { from: [{ collectionId }] } },
});

/** `n` listeners on one collection, resolved once every one has its first CURRENT. */
async function openCollectionListeners(agent: Agent, port: number, collectionId: string, n: number) {
  const listeners: Listener[] = [];
  const current: Promise<void>[] = [];
  for (let i = 0; i < n; i += 25) {
    const batch = await Promise.all(
      Array.from({ length: Math.min(25, n - i) }, () => {
        let resolve = () => {};
        current.push(new Promise<void>((r) => (resolve = r)));
        return openListener(agent, port, collectionTarget(collectionId), (json) => {
          if (json.includes('"CURRENT"')) resolve();
        });
      }),
    );
    listeners.push(...batch);
  }
  await Promise.all(current);
  return listeners;
}

async function closeAll(listeners: Listener[]): Promise<void> {
  for (let i = 0; i < listeners.length; i += 50) {
    await Promise.all(listeners.slice(i, i + 50).map((l) => l.close()));
  }
}

function quantile(values: number[], q: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)]!;
}

export interface FanOut {
  /** Per run: median and p95 over its writes of (last listener's frame − admin set() call), ms. */
  medians: number[];
  p95s: number[];
}

/**
 * `listenerCount` listeners on collection `fan`; `runs` runs of `writes` sequential admin writes
 * of a small document, each timed until every listener's stream carried it.
 */
export async function fanOut(
  port: number,
  db: Firestore,
  opts: { listenerCount: number; runs: number; writes: number },
): Promise<FanOut> {
  const agent = new Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY });
  const listeners = await openCollectionListeners(agent, port, 'fan', opts.listenerCount);
  const medians: number[] = [];
  const p95s: number[] = [];
  try {
    await db.doc('fan/warm').set({ k: -1 });
    await sleep(200);
    let seq = 0;
    for (let r = 0; r < opts.runs + 1; r++) {
      const times: number[] = [];
      for (let w = 0; w < opts.writes; w++) {
        const id = `w${seq++}`;
        const marker = `/documents/fan/${id}"`;
        let remaining = listeners.length;
        let last = 0;
        const all = new Promise<void>((resolve) => {
          for (const l of listeners) {
            let seen = false;
            l.onFrame = (json) => {
              if (seen || !json.includes(marker)) return;
              seen = true;
              last = performance.now();
              if (--remaining === 0) resolve();
            };
          }
        });
        const t0 = performance.now();
        await db.doc(`fan/${id}`).set({ k: seq, text: 'hello' });
        await all;
        times.push(last - t0);
        await sleep(20);
      }
      // The first run warms up both sides.
      if (r === 0) continue;
      medians.push(quantile(times, 0.5));
      p95s.push(quantile(times, 0.95));
    }
  } finally {
    await closeAll(listeners);
    agent.destroy();
  }
  return { medians, p95s };
}

/**
 * writes/s of 2 firebase-admin processes, 50 in flight each, `count` new ~1 KB documents in all;
 * with `stopAfterMs`, no write starts after that time and only the writes that succeeded count.
 */
async function writeRate(
  writers: Writer[],
  count: number,
  collection: string,
  stopAfterMs?: number,
): Promise<{ rate: number; done: number; failed: number; writerCpuMs: number }> {
  const share = count / writers.length;
  const t0 = performance.now();
  const reports = await Promise.all(
    writers.map((w, k) =>
      w.write({ count: share, offset: k * share, inFlight: 50, collection, stopAfterMs }),
    ),
  );
  const done = reports.reduce((n, r) => n + r.done, 0);
  const failed = reports.reduce((n, r) => n + r.failed, 0);
  const writerCpuMs = reports.reduce((n, r) => n + r.cpuMs, 0);
  return { rate: done / ((performance.now() - t0) / 1000), done, failed, writerCpuMs };
}

export interface ListenedWrites {
  /** writes/s per run with the listeners attached to the written collection. */
  withListeners: number[];
  /** writes/s per run with no listener open (interleaved). */
  without: number[];
  /** Per run: with / without, in %. */
  share: number[];
  /** Per run: the server's CPU ms per write with the listeners, and without (when `cpuMs` given). */
  cpuWith: number[];
  cpuWithout: number[];
  /**
   * Per run, CPU ms per write of the listening clients (this process) with the listeners, and of
   * the two writer processes with and without: the machine's cores are shared by all of them.
   */
  listenerCpuWith: number[];
  writerCpuWith: number[];
  writerCpuWithout: number[];
  /** Writes that failed (only counted with `stopAfterMs`), over all runs with listeners. */
  failedWith: number;
}

/**
 * Per run: `count` new documents from 2 firebase-admin processes into a fresh collection that
 * `listenerCount` listeners watch (opened before, closed after), then `count` into another fresh
 * collection with no listener open. After `warmUp` writes without listeners. With `stopAfterMs`,
 * each round starts no write after that time (for a server that slows down by orders of magnitude).
 */
export async function writesWithListeners(
  port: number,
  opts: { listenerCount: number; runs: number; count: number; warmUp: number; stopAfterMs?: number },
  cpuMs: () => number = () => Number.NaN,
): Promise<ListenedWrites> {
  const host = `127.0.0.1:${port}`;
  const writers = [await startWriter(host), await startWriter(host)];
  const agent = new Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY });
  const out: ListenedWrites = {
    withListeners: [],
    without: [],
    share: [],
    cpuWith: [],
    cpuWithout: [],
    listenerCpuWith: [],
    writerCpuWith: [],
    writerCpuWithout: [],
    failedWith: 0,
  };
  try {
    await writeRate(writers, opts.warmUp, 'warmload', opts.stopAfterMs);
    for (let r = 0; r < opts.runs; r++) {
      const listeners = await openCollectionListeners(agent, port, `watched${r}`, opts.listenerCount);
      // Frames batch messages, so delivery is checked by volume: every write is a ~1 KB document.
      let received = 0;
      for (const l of listeners) l.onFrame = (json) => void (received += json.length);
      const c0 = cpuMs();
      const own0 = process.cpuUsage();
      const t0 = performance.now();
      const withL = await writeRate(writers, opts.count, `watched${r}`, opts.stopAfterMs);
      const c1 = cpuMs();
      const expected = 0.9 * opts.listenerCount * withL.done * 880;
      // Delivery may trail the last commit; give it as long again as the writes took, up to 30 s.
      const deadline = performance.now() + Math.min(30_000, performance.now() - t0);
      while (received < expected && performance.now() < deadline) await sleep(50);
      await closeAll(listeners);
      const own = process.cpuUsage(own0);
      if (received < expected)
        throw new Error(`the listeners received ${received} characters, expected ${expected}`);
      const c2 = cpuMs();
      const without = await writeRate(writers, opts.count, `unwatched${r}`, opts.stopAfterMs);
      out.cpuWith.push((c1 - c0) / withL.done);
      out.cpuWithout.push((cpuMs() - c2) / without.done);
      out.listenerCpuWith.push((own.user + own.system) / 1000 / withL.done);
      out.writerCpuWith.push(withL.writerCpuMs / withL.done);
      out.writerCpuWithout.push(without.writerCpuMs / without.done);
      out.withListeners.push(withL.rate);
      out.without.push(without.rate);
      out.share.push((100 * withL.rate) / without.rate);
      out.failedWith += withL.failed;
    }
  } finally {
    for (const w of writers) w.stop();
    agent.destroy();
  }
  return out;
}

/**
 * RSS (as `rss()` reads it) before and 3 s after opening `count` Listen channels, each with one
 * documents target on its own (missing) document and a streaming back channel, then idle.
 */
export async function idleSessionsRss(
  port: number,
  rss: () => number,
  count: number,
): Promise<{ before: number; after: number; perSessionKiB: number }> {
  const agent = new Agent({ keepAlive: true, maxSockets: Number.POSITIVE_INFINITY });
  // Load the channel code and warm both sides with a few sessions first.
  const warm = await Promise.all(
    Array.from({ length: 5 }, (_, i) =>
      openListener(agent, port, { documents: { documents: [`${DB}/documents/idle/warm${i}`] } }),
    ),
  );
  await closeAll(warm);
  await sleep(3000);
  const before = rss();
  const listeners: Listener[] = [];
  for (let i = 0; i < count; i += 25) {
    listeners.push(
      ...(await Promise.all(
        Array.from({ length: Math.min(25, count - i) }, (_, k) =>
          openListener(agent, port, { documents: { documents: [`${DB}/documents/idle/d${i + k}`] } }),
        ),
      )),
    );
  }
  await sleep(3000);
  const after = rss();
  await closeAll(listeners);
  agent.destroy();
  return { before, after, perSessionKiB: ((after - before) * 1024) / count };
}
