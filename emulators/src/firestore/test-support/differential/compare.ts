/**
 * Sends a case to one emulator over REST and reduces the answer to what must match: documents and
 * their order, aggregate values, write results, the documents after a commit, error status and
 * message. Times are dropped (each emulator has its own clock) except for what they mean: a write
 * result's updateTime is `commit` (= the commit time), `kept` (an earlier time: a no-op write) or
 * absent; timestamps at or after the run's start are server times, `<now>`.
 */
import {
  type Case,
  type Json,
  PROJECT,
  type Read,
  type ReadAt,
  ROOT,
  type SeedDoc,
  type TxnStep,
} from './corpus.js';
import type { BadRequest } from './bad-corpus.js';
import { grpcCall } from './grpc.js';
import { runListen } from './listen.js';
import { rulesDifference, runRulesCase } from './rules-compare.js';

const OWNER = { authorization: 'Bearer owner', 'content-type': 'application/json' };

export interface Outcome {
  status: number;
  error?: { status: string; message: string };
  result?: unknown;
  after?: unknown;
}

const RUN_START = new Date().toISOString();

/** `2001-02-03T04:05:06.789000Z` and `…06.789Z` alike → fraction without trailing zeros. */
function canonicalTime(t: string): string {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d+))?Z$/.exec(t);
  if (!m) return t;
  const frac = (m[2] ?? '').replace(/0+$/, '');
  const s = `${m[1]}${frac ? `.${frac}` : ''}Z`;
  return s >= RUN_START.slice(0, 19) ? '<now>' : s;
}

function normValue(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(normValue);
  if (v === null || typeof v !== 'object') return v;
  const o = v as Json;
  if (typeof o['timestampValue'] === 'string') return { timestampValue: canonicalTime(o['timestampValue']) };
  // proto3 JSON leaves out zero coordinates; compare with them filled in.
  if ('geoPointValue' in o) {
    const g = (o['geoPointValue'] ?? {}) as Json;
    return { geoPointValue: { latitude: g['latitude'] ?? 0, longitude: g['longitude'] ?? 0 } };
  }
  if ('arrayValue' in o) {
    const a = (o['arrayValue'] ?? {}) as Json;
    return { arrayValue: { values: normValue(a['values'] ?? []) } };
  }
  if ('mapValue' in o) {
    const m = (o['mapValue'] ?? {}) as Json;
    return { mapValue: { fields: normFields(m['fields']) } };
  }
  return o;
}

function normFields(f: unknown): Json {
  const out: Json = {};
  if (f && typeof f === 'object') {
    for (const k of Object.keys(f).sort()) out[k] = normValue((f as Json)[k]);
  }
  return out;
}

export function normDocs(rows: unknown): unknown[] {
  if (!Array.isArray(rows)) return [];
  return rows
    .filter((r) => r && typeof r === 'object' && (r as Json)['document'])
    .map((r) => {
      const d = (r as Json)['document'] as Json;
      return { name: String(d['name']).slice(ROOT.length + 1), fields: normFields(d['fields']) };
    });
}

export async function call(
  base: string,
  path: string,
  body: unknown,
  method = 'POST',
  auth: string | null = OWNER.authorization,
): Promise<{ status: number; json: unknown }> {
  const r = await fetch(`${base}/v1/${path}`, {
    method,
    headers: auth === null ? { 'content-type': 'application/json' } : { ...OWNER, authorization: auth },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  let json: unknown = text;
  try {
    json = JSON.parse(text);
  } catch {
    /* keep text */
  }
  return { status: r.status, json };
}

export type Transport = 'rest' | 'grpc';

/** POST `{documents root}:{verb}` over REST, or the same request over gRPC. */
function post(
  t: Transport,
  base: string,
  verb: string,
  body: Json,
): Promise<{ status: number; json: unknown }> {
  return t === 'grpc' ? grpcCall(base, ROOT, verb, body) : call(base, `${ROOT}:${verb}`, body);
}

export async function clear(base: string): Promise<void> {
  const r = await fetch(`${base}/emulator/v1/projects/${PROJECT}/databases/(default)/documents`, {
    method: 'DELETE',
    headers: OWNER,
  });
  await r.arrayBuffer();
  if (!r.ok) throw new Error(`clearing ${base} answered ${r.status}`);
}

/** Seeds the documents; answers the seeding commit's time (none without documents). */
export async function seed(base: string, docs: SeedDoc[]): Promise<string | undefined> {
  if (docs.length === 0) return undefined;
  const writes = docs.map((d) => ({ update: { name: `${ROOT}/${d.path}`, fields: d.fields } }));
  const r = await call(base, `${ROOT}:commit`, { writes });
  if (r.status !== 200) throw new Error(`seeding ${base} answered ${r.status}: ${JSON.stringify(r.json)}`);
  return (r.json as { commitTime?: string }).commitTime;
}

export function errorOf(json: unknown): { status: string; message: string } {
  const e = json && typeof json === 'object' ? ((json as Json)['error'] as Json | undefined) : undefined;
  return { status: String(e?.['status'] ?? 'UNKNOWN'), message: String(e?.['message'] ?? '') };
}

export function normCommit(json: unknown): unknown {
  const j = json as { commitTime?: string; writeResults?: Json[] };
  return (j.writeResults ?? []).map((w) => {
    const out: Json = {};
    const u = w['updateTime'];
    if (typeof u === 'string')
      out['updateTime'] = canonicalTime(u) === canonicalTime(j.commitTime ?? '') ? 'commit' : 'kept';
    const t = w['transformResults'];
    if (Array.isArray(t) && t.length > 0) out['transformResults'] = normValue(t);
    return out;
  });
}

/** Everything in the database after a commit, in name order. */
export async function snapshot(base: string): Promise<unknown> {
  const r = await call(base, `${ROOT}:runQuery`, {
    structuredQuery: {
      from: [{ collectionId: 'c', allDescendants: true }],
      orderBy: [{ field: { fieldPath: '__name__' } }],
    },
  });
  return normDocs(r.json);
}

const METHOD = { batchGet: 'batchGet', query: 'runQuery', aggregate: 'runAggregationQuery' } as const;

/** The answer to a read, reduced to what must match. */
export function normRead(kind: Read['kind'], json: unknown): unknown {
  const rows = Array.isArray(json) ? (json as Json[]) : [];
  if (kind === 'batchGet') {
    // A new transaction comes back in an element of its own or on the first; only documents count.
    return rows
      .filter((x) => x['found'] || x['missing'])
      .map((x) =>
        x['found']
          ? { found: normDocs([{ document: x['found'] }])[0] }
          : { missing: String(x['missing']).slice(ROOT.length + 1) },
      );
  }
  if (kind === 'query') return normDocs(json);
  const agg = rows.find((x) => x['result'])?.['result'] as Json | undefined;
  return normFields(agg?.['aggregateFields']);
}

/** Times both emulators must refuse, whatever their clocks say. */
const FIXED_TIMES = {
  future: '2999-01-01T00:00:00Z',
  old: '2020-01-01T00:00:00Z',
  epoch: '1970-01-01T00:00:00Z',
};

async function runReadAt(
  t: Transport,
  base: string,
  seeded: string | undefined,
  r: ReadAt,
): Promise<Outcome> {
  const times = seeded ? [seeded] : [];
  const results: unknown[] = [];
  for (const writes of r.commits) {
    const c = await post(t, base, 'commit', { writes });
    if (c.status !== 200) return { status: c.status, error: errorOf(c.json), result: results };
    results.push(normCommit(c.json));
    times.push((c.json as { commitTime: string }).commitTime);
  }
  // Without seeded documents, step 0 is the first commit.
  const readTime =
    typeof r.at === 'number'
      ? times[Math.min(r.at - (seeded ? 0 : 1), times.length - 1)]!
      : FIXED_TIMES[r.at];
  let res: { status: number; json: unknown };
  if (r.via === 'list') {
    // Google's emulator reads a GET's Timestamp as seconds and nanos (RFC 3339 is refused there).
    // Over gRPC: ListDocuments with the same parameters.
    const ms = Date.parse(readTime);
    const nanos = Number((/\.(\d+)Z$/.exec(readTime)?.[1] ?? '').padEnd(9, '0'));
    const q = `readTime.seconds=${Math.floor(ms / 1000)}&readTime.nanos=${nanos}&showMissing=true`;
    res =
      t === 'grpc'
        ? await grpcCall(base, ROOT, 'listDocuments', {
            parent: ROOT,
            collectionId: 'c',
            readTime,
            showMissing: true,
          })
        : await call(base, `${ROOT}/c?${q}`, undefined, 'GET');
    if (res.status !== 200) return { status: res.status, error: errorOf(res.json), result: results };
    const docs = ((res.json as { documents?: Json[] }).documents ?? []).map((d) => ({ document: d }));
    return { status: 200, result: results, after: normDocs(docs) };
  }
  const body: Json = { ...r.read.body };
  if (r.via === 'readTime') body['readTime'] = readTime;
  else if (r.via === 'newTransaction') body['newTransaction'] = { readOnly: { readTime } };
  else {
    const b = await post(t, base, 'beginTransaction', { options: { readOnly: { readTime } } });
    if (b.status !== 200) return { status: b.status, error: errorOf(b.json), result: results };
    body['transaction'] = (b.json as { transaction: string }).transaction;
  }
  res = await post(t, base, METHOD[r.read.kind], body);
  if (res.status !== 200) return { status: res.status, error: errorOf(res.json), result: results };
  return { status: 200, result: results, after: normRead(r.read.kind, res.json) };
}

type Answer = { status: number; json: unknown };

/** One step's answer reduced to what must match: its error, or its documents / write results. */
interface StepOutcome {
  op: string;
  status: number;
  error?: { status: string; message: string };
  result?: unknown;
}

function stepOutcome(step: TxnStep, r: Answer): StepOutcome {
  const op = `${step.op}${'t' in step ? ` t${step.t}` : ''}`;
  if (r.status !== 200) return { op, status: r.status, error: errorOf(r.json) };
  if (step.op === 'commit' || step.op === 'outside') return { op, status: 200, result: normCommit(r.json) };
  if (step.op === 'query') return { op, status: 200, result: normRead('query', r.json) };
  if (step.op === 'get' || step.op === 'await' || step.op === 'getWith')
    return { op, status: 200, result: normRead('batchGet', r.json) };
  return { op, status: 200 };
}

/** The first step of a transaction case whose answers differ, described like an error difference. */
function stepDifference(ours: StepOutcome[], google: StepOutcome[]): string | undefined {
  for (let i = 0; i < Math.max(ours.length, google.length); i++) {
    const o = ours[i];
    const g = google[i];
    if (JSON.stringify(o) === JSON.stringify(g)) continue;
    const say = (x: StepOutcome | undefined) =>
      `${x?.status ?? '-'} ${x?.error?.status ?? 'OK'} ${JSON.stringify(x?.error?.message ?? '')}`;
    return `txn step ${i} (${g?.op ?? o?.op}): google ${say(g)} | ours ${say(o)}`;
  }
  return undefined;
}

/** How long a pending read is given to reach the emulator (and block) before the next step. */
const PENDING_READ_HEAD_START_MS = 200;

/**
 * Runs a transaction sequence; each emulator's own transaction ids stand in for the slots. A
 * pending read is awaited at its `await` step (10 s at most: a read that never returns shows as
 * a timeout).
 */
async function runTxn(t: Transport, base: string, steps: TxnStep[]): Promise<Outcome> {
  const ids: string[] = [];
  const pending = new Map<number, Promise<Answer>>();
  const out: StepOutcome[] = [];
  const within = (p: Promise<Answer>): Promise<Answer> =>
    Promise.race([
      p,
      new Promise<Answer>((resolve) =>
        setTimeout(() => resolve({ status: 0, json: { error: { status: 'TIMEOUT' } } }), 10_000).unref(),
      ),
    ]);
  for (const step of steps) {
    let r: Answer;
    switch (step.op) {
      case 'begin': {
        r = await post(t, base, 'beginTransaction', {
          options: step.readOnly ? { readOnly: {} } : { readWrite: {} },
        });
        ids[step.t] = (r.json as { transaction?: string }).transaction ?? '';
        break;
      }
      case 'get': {
        const p = post(t, base, 'batchGet', { documents: step.documents, transaction: ids[step.t] });
        if (step.pending) {
          pending.set(step.t, p);
          // The next step must reach the emulator after this read does, or the case tests the
          // network's order instead of the lock's: under load (CI) a commit sent next could
          // overtake it on its own connection, and the two emulators saw different orders.
          await new Promise((r) => setTimeout(r, PENDING_READ_HEAD_START_MS));
          continue;
        }
        r = await within(p);
        break;
      }
      case 'await':
        r = await within(pending.get(step.t)!);
        break;
      case 'query':
        r = await post(t, base, 'runQuery', {
          structuredQuery: step.structuredQuery,
          transaction: ids[step.t],
        });
        break;
      case 'commit':
        r = await post(t, base, 'commit', { writes: step.writes, transaction: ids[step.t] });
        break;
      case 'rollback':
        r = await post(t, base, 'rollback', { transaction: ids[step.t] });
        break;
      case 'outside':
        r = await post(t, base, 'commit', { writes: step.writes });
        break;
      default:
        r = await post(t, base, 'batchGet', {
          documents: step.documents,
          transaction: step.transaction,
        });
    }
    out.push(stepOutcome(step, r));
  }
  // Transactions a failed step left open would hold locks into the next case: end them.
  for (const id of ids) if (id) await post(t, base, 'rollback', { transaction: id });
  return { status: 200, result: out, after: await snapshot(base) };
}

export async function runCase(base: string, c: Case, t: Transport = 'rest'): Promise<Outcome> {
  const req = c.request;
  if (req.kind === 'rules') return runRulesCase(t, base, c.docs, req.body);
  if (req.kind === 'listen') return runListen(t, base, c.docs, req.body);
  await clear(base);
  const seeded = await seed(base, c.docs);
  if (req.kind === 'bad') return runBad(t, base, req.body);
  if (req.kind === 'readAt') return runReadAt(t, base, seeded, req.body);
  if (req.kind === 'txn') return runTxn(t, base, req.body.steps);
  const method = req.kind === 'commit' ? 'commit' : METHOD[req.kind];
  const r = await post(t, base, method, req.body);
  if (r.status !== 200) return { status: r.status, error: errorOf(r.json) };
  if (req.kind !== 'commit') return { status: 200, result: normRead(req.kind, r.json) };
  return { status: 200, result: normCommit(r.json), after: await snapshot(base) };
}

/**
 * A bad request's raw bytes over REST: its status and error; after a commit that went through, the
 * documents. Over gRPC the typed messages cannot carry most of these mistakes: not sent.
 */
async function runBad(t: Transport, base: string, b: BadRequest): Promise<Outcome> {
  if (t === 'grpc') return { status: 200, result: 'REST only' };
  const r = await fetch(`${base}/v1/${b.path}`, { method: b.method, headers: OWNER, body: b.body });
  const text = await r.text();
  let json: unknown = text;
  try {
    json = JSON.parse(text);
  } catch {
    /* keep text */
  }
  const result = { bad: b.what };
  if (r.status !== 200) return { status: r.status, error: errorOf(json), result };
  return { status: 200, result, after: b.path.endsWith(':commit') ? await snapshot(base) : undefined };
}

/** A one-line description of how two outcomes differ, or undefined when they match. */
export function difference(ours: Outcome, google: Outcome): string | undefined {
  const rules = rulesDifference(ours, google);
  if (rules !== false) return rules;
  const o = JSON.stringify(ours);
  const g = JSON.stringify(google);
  if (o === g) return undefined;
  const steps = (x: Outcome) =>
    Array.isArray(x.result) && (x.result[0] as StepOutcome | undefined)?.op !== undefined
      ? (x.result as StepOutcome[])
      : undefined;
  const os = steps(ours);
  const gs = steps(google);
  if (os && gs) {
    const d = stepDifference(os, gs);
    if (d) return d;
  }
  const bad = (x: Outcome) => (x.result as { bad?: string } | undefined)?.bad !== undefined;
  if (
    bad(ours) &&
    bad(google) &&
    ours.status === google.status &&
    ours.error?.status === google.error?.status
  ) {
    // Same status and code, other words: told apart from a different decision (parity-exceptions).
    if (ours.error?.message !== google.error?.message) {
      return `bad request message: google ${google.status} ${google.error?.status} ${JSON.stringify(google.error?.message ?? '')} | ours ${JSON.stringify(ours.error?.message ?? '')}`;
    }
  }
  if (ours.error || google.error) {
    return `error: google ${google.status} ${google.error?.status ?? 'OK'} ${JSON.stringify(google.error?.message ?? '')} | ours ${ours.status} ${ours.error?.status ?? 'OK'} ${JSON.stringify(ours.error?.message ?? '')}`;
  }
  if (JSON.stringify(ours.result) !== JSON.stringify(google.result)) return 'result';
  return bad(ours)
    ? 'bad request: state after commit'
    : 'state after commit (the read at readTime, the answers on the Write channel)';
}

/**
 * A difference without its details, so that one kind of difference is reported once: each quoted
 * message is cut to its first three words (names and values come later in messages).
 */
export function kindOf(d: string): string {
  return d
    .replace(/^(rules|txn) step \d+/, '$1 step')
    .replace(/"((?:[^"\\]|\\.)*)"/g, (_, m: string) => `"${m.split(/\s+/).slice(0, 3).join(' ')}…"`);
}
