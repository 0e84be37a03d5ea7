/**
 * Listens for the differential harness (issues 18 and 19): one target (a query, or documents by
 * name) is added on a Listen stream — google.firestore.v1.Firestore/Listen over gRPC, or the
 * WebChannel Listen channel (`/google.firestore.v1.Firestore/Listen/channel`, long polls over plain
 * HTTP as the browser SDK's WebChannel does) — then commits run one by one (over the WebChannel
 * Write channel with REST, as REST commits with gRPC). The responses are
 * reduced to snapshots as a client sees them: the documents at each consistent point (a global
 * NO_CHANGE with a readTime), the current flag, whether a resume token came, and a removed target's
 * cause. Consecutive equal snapshots are one.
 */
import { ChannelSession, messagesAfter } from './channel-client.js';
import { call, clear, normCommit, normDocs, type Outcome, seed, type Transport } from './compare.js';
import type { Gen, Json, SeedDoc } from './corpus.js';
import { grpcListen, query as protoQuery } from './grpc.js';
import { ROOT } from './names.js';

export interface ListenCase {
  target: { query: Json } | { documents: string[] };
  commits: Json[][];
}

export function genListen(g: Gen, ids: readonly string[]): ListenCase {
  // Mostly broad queries (random filters seldom match the random documents), some random ones.
  const broad: Json[] = [
    { from: [{ collectionId: 'c' }] },
    { from: [{ collectionId: 'c', allDescendants: true }] },
    {
      from: [{ collectionId: 'c' }],
      orderBy: [{ field: { fieldPath: 'a' }, direction: 'DESCENDING' }],
      limit: 2,
    },
    {
      from: [{ collectionId: 'c' }],
      where: { unaryFilter: { field: { fieldPath: 'b' }, op: 'IS_NOT_NULL' } },
    },
    { from: [{ collectionId: 'c' }], orderBy: [{ field: { fieldPath: '__name__' } }], limit: 3 },
  ];
  const target = g.chance(0.7)
    ? { query: g.chance(0.7) ? g.pick(broad) : g.structuredQuery() }
    : { documents: [...new Set(Array.from({ length: 1 + g.int(3) }, () => `${ROOT}/c/${g.pick(ids)}`))] };
  const commits = Array.from({ length: 1 + g.int(3) }, () =>
    Array.from({ length: 1 + g.int(2) }, () => g.plainWrite()),
  );
  return { target, commits };
}

const DATABASE = ROOT.replace(/\/documents$/, '');

function addTarget(c: ListenCase, grpc: boolean): Json {
  const t =
    'query' in c.target
      ? { query: { parent: ROOT, structuredQuery: grpc ? protoQuery(c.target.query) : c.target.query } }
      : { documents: { documents: c.target.documents } };
  return { database: DATABASE, addTarget: { targetId: 1, ...t } };
}

interface Snapshot {
  docs: unknown[];
  current: boolean;
  resumeToken: boolean;
}

/** Folds responses into the snapshots a client would raise (see the file comment). */
export function snapshotsOf(messages: Json[]): unknown[] {
  const docs = new Map<string, Json>();
  let current = false;
  let token = false;
  const out: unknown[] = [];
  let lastKey = '';
  for (const m of messages) {
    const tc = m['targetChange'] as Json | undefined;
    if (tc) {
      const type = String(tc['targetChangeType'] ?? 'NO_CHANGE');
      const ids = (tc['targetIds'] as unknown[] | undefined) ?? [];
      if (tc['resumeToken']) token = true;
      if (type === 'CURRENT') current = true;
      else if (type === 'RESET') docs.clear();
      else if (type === 'REMOVE') {
        const cause = tc['cause'] as Json | undefined;
        out.push({ removed: { code: cause?.['code'] ?? 0, message: cause?.['message'] ?? '' } });
      } else if (type === 'NO_CHANGE' && ids.length === 0 && tc['readTime']) {
        const snap: Snapshot = {
          docs: normDocs(
            [...docs.values()]
              .sort((a, b) => (String(a['name']) < String(b['name']) ? -1 : 1))
              .map((d) => ({ document: d })),
          ),
          current,
          resumeToken: token,
        };
        const key = JSON.stringify(snap);
        if (key !== lastKey) out.push(snap);
        lastKey = key;
      }
      continue;
    }
    const dc = m['documentChange'] as Json | undefined;
    if (dc) {
      const d = dc['document'] as Json;
      const inTarget = ((dc['targetIds'] as unknown[] | undefined) ?? []).map(Number).includes(1);
      if (inTarget) docs.set(String(d['name']), d);
      else docs.delete(String(d['name']));
      continue;
    }
    const del = (m['documentDelete'] ?? m['documentRemove']) as Json | undefined;
    if (del) {
      docs.delete(String(del['document']));
      continue;
    }
    if (m['streamError']) out.push({ streamError: m['streamError'] });
  }
  return out;
}

/**
 * Seeds, listens, waits for the first current snapshot (3 s at most), then commits one by one,
 * waiting after each for the snapshot it causes (0.4 s at most: a write outside the target causes
 * none). Over `rest` the stream is the WebChannel, over `grpc` gRPC's Listen. A Write channel
 * answer is awaited up to 10 s (Google's emulator stalls for seconds under load).
 */
export async function runListen(
  t: Transport,
  base: string,
  docs: SeedDoc[],
  c: ListenCase,
): Promise<Outcome> {
  await clear(base);
  await seed(base, docs);
  const stream =
    t === 'grpc'
      ? grpcListen(base, addTarget(c, true))
      : await ChannelSession.open(base, 'Listen', addTarget(c, false));
  // Over REST the commits go through the WebChannel Write channel too (handshake, then writes
  // with the stream token), and their answers are compared.
  const writer = t === 'grpc' ? undefined : await ChannelSession.open(base, 'Write', { database: DATABASE });
  const written: unknown[] = [];
  const settled = () => snapshotsOf(stream.messages).length;
  try {
    const deadline = Date.now() + 3000;
    while (Date.now() < deadline) {
      const snaps = snapshotsOf(stream.messages) as Json[];
      if (snaps.some((s) => s['current'] === true || s['removed'] || s['streamError'])) break;
      await stream.next(deadline - Date.now());
    }
    let token = '';
    if (writer) {
      const hs = (await messagesAfter(writer, 0, 10_000))[0];
      token = String(hs?.['streamToken'] ?? '');
      if (!token) written.push({ handshake: hs ?? 'none' });
    }
    for (const writes of c.commits) {
      const before = settled();
      if (writer && token) {
        const n = writer.messages.length;
        await writer.send({ streamToken: token, writes });
        const res = (await messagesAfter(writer, n, 10_000))[0];
        token = String(res?.['streamToken'] ?? token);
        written.push(res && res['writeResults'] ? normCommit(res) : (res ?? 'no answer'));
      } else {
        const r = await call(base, `${ROOT}:commit`, { writes });
        if (r.status !== 200) continue;
      }
      const until = Date.now() + 400;
      while (settled() === before && Date.now() < until) await stream.next(until - Date.now());
    }
    return { status: 200, result: snapshotsOf(stream.messages), ...(writer ? { after: written } : {}) };
  } finally {
    stream.close();
    writer?.close();
  }
}
