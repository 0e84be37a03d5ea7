/**
 * Sends a case to one emulator over REST and reduces the answer to what must match: documents and
 * their order, aggregate values, write results, the documents after a commit, error status and
 * message. Times are dropped (each emulator has its own clock) except for what they mean: a write
 * result's updateTime is `commit` (= the commit time), `kept` (an earlier time: a no-op write) or
 * absent; timestamps at or after the run's start are server times, `<now>`.
 */
import { type Case, type Json, PROJECT, ROOT, type SeedDoc } from './corpus.js';

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

async function seed(base: string, docs: SeedDoc[]): Promise<void> {
  if (docs.length === 0) return;
  const writes = docs.map((d) => ({ update: { name: `${ROOT}/${d.path}`, fields: d.fields } }));
  const r = await call(base, `${ROOT}:commit`, { writes });
  if (r.status !== 200) throw new Error(`seeding ${base} answered ${r.status}: ${JSON.stringify(r.json)}`);
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

export async function runCase(base: string, c: Case): Promise<Outcome> {
  await clear(base);
  await seed(base, c.docs);
  const req = c.request;
  const method = {
    batchGet: 'batchGet',
    query: 'runQuery',
    aggregate: 'runAggregationQuery',
    commit: 'commit',
  }[req.kind];
  const r = await call(base, `${ROOT}:${method}`, req.body);
  if (r.status !== 200) return { status: r.status, error: errorOf(r.json) };
  if (req.kind === 'batchGet') {
    const rows = Array.isArray(r.json) ? (r.json as Json[]) : [];
    return {
      status: 200,
      result: rows.map((x) =>
        x['found']
          ? { found: normDocs([{ document: x['found'] }])[0] }
          : { missing: String(x['missing']).slice(ROOT.length + 1) },
      ),
    };
  }
  if (req.kind === 'query') return { status: 200, result: normDocs(r.json) };
  if (req.kind === 'aggregate') {
    const rows = Array.isArray(r.json) ? (r.json as Json[]) : [];
    const agg = rows.find((x) => x['result'])?.['result'] as Json | undefined;
    return { status: 200, result: normFields(agg?.['aggregateFields']) };
  }
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
  return JSON.stringify(ours.result) !== JSON.stringify(google.result) ? 'result' : 'state after commit';
}

/**
 * A difference without its details, so that one kind of difference is reported once: each quoted
 * message is cut to its first three words (names and values come later in messages).
 */
export function kindOf(d: string): string {
  return d.replace(/"((?:[^"\\]|\\.)*)"/g, (_, m: string) => `"${m.split(/\s+/).slice(0, 3).join(' ')}…"`);
}
