/**
 * Sends a case to one emulator over REST and reduces the answer to what must match: documents and
 * their order, aggregate values, write results, the documents after a commit, error status and
 * message. Times are dropped (each emulator has its own clock) except for what they mean: a write
 * result's updateTime is `commit` (= the commit time), `kept` (an earlier time: a no-op write) or
 * absent; timestamps at or after the run's start are server times, `<now>`.
 */
import { type Case, type Json, PROJECT, type Read, type ReadAt, ROOT, type SeedDoc } from './corpus.js';

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

function normDocs(rows: unknown): unknown[] {
  if (!Array.isArray(rows)) return [];
  return rows
    .filter((r) => r && typeof r === 'object' && (r as Json)['document'])
    .map((r) => {
      const d = (r as Json)['document'] as Json;
      return { name: String(d['name']).slice(ROOT.length + 1), fields: normFields(d['fields']) };
    });
}

async function call(
  base: string,
  path: string,
  body: unknown,
  method = 'POST',
): Promise<{ status: number; json: unknown }> {
  const r = await fetch(`${base}/v1/${path}`, {
    method,
    headers: OWNER,
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

async function clear(base: string): Promise<void> {
  const r = await fetch(`${base}/emulator/v1/projects/${PROJECT}/databases/(default)/documents`, {
    method: 'DELETE',
    headers: OWNER,
  });
  await r.arrayBuffer();
  if (!r.ok) throw new Error(`clearing ${base} answered ${r.status}`);
}

/** Seeds the documents; answers the seeding commit's time (none without documents). */
async function seed(base: string, docs: SeedDoc[]): Promise<string | undefined> {
  if (docs.length === 0) return undefined;
  const writes = docs.map((d) => ({ update: { name: `${ROOT}/${d.path}`, fields: d.fields } }));
  const r = await call(base, `${ROOT}:commit`, { writes });
  if (r.status !== 200) throw new Error(`seeding ${base} answered ${r.status}: ${JSON.stringify(r.json)}`);
  return (r.json as { commitTime?: string }).commitTime;
}

function errorOf(json: unknown): { status: string; message: string } {
  const e = json && typeof json === 'object' ? ((json as Json)['error'] as Json | undefined) : undefined;
  return { status: String(e?.['status'] ?? 'UNKNOWN'), message: String(e?.['message'] ?? '') };
}

function normCommit(json: unknown): unknown {
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
async function snapshot(base: string): Promise<unknown> {
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
function normRead(kind: Read['kind'], json: unknown): unknown {
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

async function runReadAt(base: string, seeded: string | undefined, r: ReadAt): Promise<Outcome> {
  const times = seeded ? [seeded] : [];
  const results: unknown[] = [];
  for (const writes of r.commits) {
    const c = await call(base, `${ROOT}:commit`, { writes });
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
    const ms = Date.parse(readTime);
    const nanos = Number((/\.(\d+)Z$/.exec(readTime)?.[1] ?? '').padEnd(9, '0'));
    const q = `readTime.seconds=${Math.floor(ms / 1000)}&readTime.nanos=${nanos}&showMissing=true`;
    res = await call(base, `${ROOT}/c?${q}`, undefined, 'GET');
    if (res.status !== 200) return { status: res.status, error: errorOf(res.json), result: results };
    const docs = ((res.json as { documents?: Json[] }).documents ?? []).map((d) => ({ document: d }));
    return { status: 200, result: results, after: normDocs(docs) };
  }
  const body: Json = { ...r.read.body };
  if (r.via === 'readTime') body['readTime'] = readTime;
  else if (r.via === 'newTransaction') body['newTransaction'] = { readOnly: { readTime } };
  else {
    const b = await call(base, `${ROOT}:beginTransaction`, { options: { readOnly: { readTime } } });
    if (b.status !== 200) return { status: b.status, error: errorOf(b.json), result: results };
    body['transaction'] = (b.json as { transaction: string }).transaction;
  }
  res = await call(base, `${ROOT}:${METHOD[r.read.kind]}`, body);
  if (res.status !== 200) return { status: res.status, error: errorOf(res.json), result: results };
  return { status: 200, result: results, after: normRead(r.read.kind, res.json) };
}

export async function runCase(base: string, c: Case): Promise<Outcome> {
  await clear(base);
  const seeded = await seed(base, c.docs);
  const req = c.request;
  if (req.kind === 'readAt') return runReadAt(base, seeded, req.body);
  const method = req.kind === 'commit' ? 'commit' : METHOD[req.kind];
  const r = await call(base, `${ROOT}:${method}`, req.body);
  if (r.status !== 200) return { status: r.status, error: errorOf(r.json) };
  if (req.kind !== 'commit') return { status: 200, result: normRead(req.kind, r.json) };
  return { status: 200, result: normCommit(r.json), after: await snapshot(base) };
}

/** A one-line description of how two outcomes differ, or undefined when they match. */
export function difference(ours: Outcome, google: Outcome): string | undefined {
  const o = JSON.stringify(ours);
  const g = JSON.stringify(google);
  if (o === g) return undefined;
  if (ours.error || google.error) {
    return `error: google ${google.status} ${google.error?.status ?? 'OK'} ${JSON.stringify(google.error?.message ?? '')} | ours ${ours.status} ${ours.error?.status ?? 'OK'} ${JSON.stringify(ours.error?.message ?? '')}`;
  }
  return JSON.stringify(ours.result) !== JSON.stringify(google.result)
    ? 'result'
    : 'state after commit (or the read at readTime)';
}

/**
 * A difference without its details, so that one kind of difference is reported once: each quoted
 * message is cut to its first three words (names and values come later in messages).
 */
export function kindOf(d: string): string {
  return d.replace(/"((?:[^"\\]|\\.)*)"/g, (_, m: string) => `"${m.split(/\s+/).slice(0, 3).join(' ')}…"`);
}
