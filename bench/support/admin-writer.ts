/**
 * A firebase-admin client in its own process, driven over IPC by firestore.bench.ts, so that the
 * bench can run one or several clients and measure each one's CPU. FIRESTORE_EMULATOR_HOST names
 * the server. Each `{ count, offset, inFlight, collection, wrap }` message writes `count` documents
 * of ~1 KB with `doc().set()`, at most `inFlight` at a time, and answers `{ ms, cpuMs }`.
 */
import { initializeApp } from 'firebase-admin/app';
import { getFirestore } from 'firebase-admin/firestore';

export interface WriteOrder {
  count: number;
  offset: number;
  inFlight: number;
  collection: string;
  /** Document numbers wrap at this value (later writes update earlier documents). */
  wrap?: number;
  /**
   * Start no write after this many ms, and count a write that fails instead of stopping (for a
   * server that may take minutes, or time writes out, under the load measured).
   */
  stopAfterMs?: number;
}
export interface WriteReport {
  ms: number;
  cpuMs: number;
  /** Writes that succeeded, and (with stopAfterMs) writes that failed. */
  done: number;
  failed: number;
}

// firebase-admin captures a stack trace on every request; under tsx (which turns Node's source-map
// support on) each one would be source-mapped, slowing this client by 10-20%. The bench measures
// the emulator, so the client runs as it would compiled.
process.setSourceMapsEnabled(false);

const db = getFirestore(initializeApp({ projectId: 'demo-bench' }));
const TEXT = 'x'.repeat(880);

function docData(i: number) {
  return {
    owner: `user${i % 100}`,
    n: i,
    text: TEXT,
    tags: ['a', 'b', `t${i % 7}`],
    at: new Date(1_700_000_000_000 + i),
  };
}

async function write(o: WriteOrder): Promise<WriteReport> {
  let next = 0;
  let done = 0;
  let failed = 0;
  const u0 = process.cpuUsage();
  const t0 = performance.now();
  const open = () =>
    next < o.count && (o.stopAfterMs === undefined || performance.now() - t0 < o.stopAfterMs);
  const worker = async () => {
    while (open()) {
      const i = (o.offset + next++) % (o.wrap ?? Number.POSITIVE_INFINITY);
      try {
        await db.doc(`${o.collection}/d${i}`).set(docData(i));
        done++;
      } catch (error) {
        if (o.stopAfterMs === undefined) throw error;
        failed++;
      }
    }
  };
  await Promise.all(Array.from({ length: o.inFlight }, worker));
  const u = process.cpuUsage(u0);
  return { ms: performance.now() - t0, cpuMs: (u.user + u.system) / 1000, done, failed };
}

process.on('message', (o: WriteOrder) => {
  write(o).then(
    (r) => process.send?.(r),
    (e: unknown) => process.send?.({ error: e instanceof Error ? e.message : String(e) }),
  );
});
process.send?.('ready');
