/** Smaller variants of a case, for reducing a difference to the least request that still shows it. */
import type { Case, Json } from './corpus.js';
import { rulesVariants } from './rules-corpus.js';

function without(o: Json, key: string): Json {
  const out = { ...o };
  delete out[key];
  return out;
}

function filterVariants(f: Json): Json[] {
  const c = f['compositeFilter'] as Json | undefined;
  if (!c) return [];
  const filters = c['filters'] as Json[];
  const out: Json[] = [...filters];
  for (let i = 0; i < filters.length; i++) {
    const rest = filters.filter((_, j) => j !== i);
    if (rest.length >= 2) out.push({ compositeFilter: { ...c, filters: rest } });
    for (const v of filterVariants(filters[i]!)) {
      out.push({ compositeFilter: { ...c, filters: filters.map((x, j) => (j === i ? v : x)) } });
    }
  }
  return out;
}

function queryVariants(q: Json): Json[] {
  const out: Json[] = [];
  for (const k of ['where', 'orderBy', 'startAt', 'endAt', 'limit', 'offset', 'select'])
    if (k in q) out.push(without(q, k));
  if (q['where']) for (const w of filterVariants(q['where'] as Json)) out.push({ ...q, where: w });
  const orderBy = q['orderBy'] as Json[] | undefined;
  if (orderBy && orderBy.length > 1 && !q['startAt'] && !q['endAt']) {
    for (let i = 0; i < orderBy.length; i++) out.push({ ...q, orderBy: orderBy.filter((_, j) => j !== i) });
  }
  const from = (q['from'] as Json[])[0]!;
  if (from['allDescendants']) out.push({ ...q, from: [without(from, 'allDescendants')] });
  return out;
}

export function variants(c: Case): Case[] {
  const out: Case[] = [];
  for (let i = 0; i < c.docs.length; i++) out.push({ ...c, docs: c.docs.filter((_, j) => j !== i) });
  const r = c.request;
  if (r.kind === 'query') {
    const q = r.body['structuredQuery'] as Json;
    for (const v of queryVariants(q))
      out.push({ ...c, request: { kind: 'query', body: { structuredQuery: v } } });
  } else if (r.kind === 'aggregate') {
    const saq = r.body['structuredAggregationQuery'] as Json;
    const aggs = saq['aggregations'] as Json[];
    const q = saq['structuredQuery'] as Json;
    const body = (sq: Json, a: Json[]) => ({
      structuredAggregationQuery: { structuredQuery: sq, aggregations: a },
    });
    if (aggs.length > 1) {
      for (let i = 0; i < aggs.length; i++) {
        out.push({
          ...c,
          request: {
            kind: 'aggregate',
            body: body(
              q,
              aggs.filter((_, j) => j !== i),
            ),
          },
        });
      }
    }
    for (const v of queryVariants(q)) out.push({ ...c, request: { kind: 'aggregate', body: body(v, aggs) } });
  } else if (r.kind === 'batchGet') {
    const docs = r.body.documents;
    if (r.body.mask) out.push({ ...c, request: { kind: 'batchGet', body: { documents: docs } } });
    if (docs.length > 1) {
      for (let i = 0; i < docs.length; i++) {
        out.push({
          ...c,
          request: { kind: 'batchGet', body: { ...r.body, documents: docs.filter((_, j) => j !== i) } },
        });
      }
    }
  } else if (r.kind === 'readAt') {
    const b = r.body;
    const at = (x: typeof b) => ({ ...c, request: { kind: 'readAt' as const, body: x } });
    for (let i = 0; i < b.commits.length; i++) {
      if (b.commits.length > 1) out.push(at({ ...b, commits: b.commits.filter((_, j) => j !== i) }));
      const ws = b.commits[i]!;
      if (ws.length > 1) {
        for (let k = 0; k < ws.length; k++) {
          const fewer = ws.filter((_, j) => j !== k);
          out.push(at({ ...b, commits: b.commits.map((x, j) => (j === i ? fewer : x)) }));
        }
      }
    }
    if (b.read.kind === 'query') {
      for (const v of queryVariants(b.read.body['structuredQuery'] as Json))
        out.push(at({ ...b, read: { kind: 'query', body: { structuredQuery: v } } }));
    }
  } else if (r.kind === 'rules') {
    for (const body of rulesVariants(r.body)) out.push({ ...c, request: { kind: 'rules', body } });
  } else if (r.kind === 'listen') {
    const b = r.body;
    for (let i = 0; i < b.commits.length; i++) {
      if (b.commits.length > 1) {
        out.push({
          ...c,
          request: { kind: 'listen', body: { ...b, commits: b.commits.filter((_, j) => j !== i) } },
        });
      }
    }
    if ('query' in b.target) {
      for (const v of queryVariants(b.target.query))
        out.push({ ...c, request: { kind: 'listen', body: { ...b, target: { query: v } } } });
    }
  } else if (r.kind === 'txn' || r.kind === 'bad') {
    // Steps depend on each other (begin, pending reads), a bad request is one mistake: only the
    // documents are shrunk.
  } else {
    const writes = r.body.writes;
    const commit = (w: Json[]) => ({ ...c, request: { kind: 'commit' as const, body: { writes: w } } });
    if (writes.length > 1)
      for (let i = 0; i < writes.length; i++) out.push(commit(writes.filter((_, j) => j !== i)));
    writes.forEach((w, i) => {
      for (const k of ['updateTransforms', 'updateMask', 'currentDocument']) {
        if (k in w) out.push(commit(writes.map((x, j) => (j === i ? without(x, k) : x))));
      }
      const u = w['update'] as Json | undefined;
      const fields = (u?.['fields'] ?? {}) as Json;
      for (const f of Object.keys(fields)) {
        const nu = { ...u, fields: without(fields, f) };
        out.push(commit(writes.map((x, j) => (j === i ? { ...x, update: nu } : x))));
      }
    });
  }
  return out;
}

/** Greedily applies variants while `differs` still holds; at most `budget` attempts. */
export async function shrink(c: Case, differs: (c: Case) => Promise<boolean>, budget = 300): Promise<Case> {
  let best = c;
  let tries = 0;
  for (let progress = true; progress && tries < budget;) {
    progress = false;
    for (const v of variants(best)) {
      if (++tries > budget) break;
      if (await differs(v)) {
        best = v;
        progress = true;
        break;
      }
    }
  }
  return best;
}
