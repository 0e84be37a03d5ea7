/**
 * Bad requests for the differential harness (issue 18): malformed names, wrong JSON types, unknown
 * fields, values out of range, oversize and too deep values, invalid field paths, bad cursors and
 * bad transforms, each a raw REST request (method, path below /v1/, body text), so both emulators
 * see exactly the same bytes. Compared by status and message (compare.ts).
 */
import type { Gen, Json } from './corpus.js';
import { ROOT } from './names.js';

export interface BadRequest {
  /** What the request gets wrong, for the report. */
  what: string;
  method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** Below `/v1/`. */
  path: string;
  body?: string;
}

const A = `${ROOT}/c/a`;
const commit = (writes: unknown, extra: Json = {}): string => JSON.stringify({ writes, ...extra });
const set = (fields: unknown, name = A): Json => ({ update: { name, fields } });
const query = (q: Json, extra: Json = {}): string =>
  JSON.stringify({ structuredQuery: { from: [{ collectionId: 'c' }], ...q }, ...extra });

function nested(depth: number): Json {
  let v: Json = { integerValue: '1' };
  for (let i = 0; i < depth; i++) v = { mapValue: { fields: { x: v } } };
  return v;
}

/** Each entry makes one bad request; `g` picks among its variants. */
const MAKERS: ((g: Gen) => BadRequest)[] = [
  (g) => {
    // No `.` or `..` segments: fetch resolves them before sending.
    const p = g.pick(['c', 'c/a/b', 'c//a', 'c/__x__', '__x__/a', `c/${'x'.repeat(1501)}`]);
    return { what: 'malformed document name (GET)', method: 'GET', path: `${ROOT}/${p}` };
  },
  (g) => {
    const name = g.pick([
      `${ROOT}/c`,
      `${ROOT}/c/a/b`,
      `${ROOT}/c/__x__`,
      'projects/demo-differential/databases/(default)/documents/c/',
      'projects/other/databases/(default)/documents/c/a',
      'c/a',
      `${ROOT}/c/${'y'.repeat(1501)}`,
    ]);
    return {
      what: 'malformed name in a write',
      method: 'POST',
      path: `${ROOT}:commit`,
      body: commit([set({}, name)]),
    };
  },
  (g) => {
    const v = g.pick<unknown>([
      { integerValue: 'abc' },
      { integerValue: '9223372036854775808' },
      { integerValue: 1.5 },
      { doubleValue: 'x' },
      { booleanValue: 'true' },
      { timestampValue: 'yesterday' },
      { timestampValue: '10000-01-01T00:00:00Z' },
      { bytesValue: '!!' },
      { geoPointValue: { latitude: 100, longitude: 0 } },
      { geoPointValue: { latitude: 0, longitude: 200 } },
      { referenceValue: 'c/a' },
      { referenceValue: 'projects/other/databases/(default)/documents/c/a' },
      { integerValue: '1', stringValue: 'a' },
      {},
      'plain',
      { arrayValue: { values: 'x' } },
      { mapValue: { fields: [] } },
      { nullValue: 'x' },
    ]);
    return { what: 'bad value', method: 'POST', path: `${ROOT}:commit`, body: commit([set({ a: v })]) };
  },
  (g) => {
    const body = g.pick([
      commit([], { foo: 1 }),
      commit([{ ...set({}), bogus: true }]),
      commit('x'),
      commit([1]),
      commit([{}]),
      commit([{ update: { name: A, fields: {} }, delete: A }]),
      '{',
      '[]',
      '',
      commit([{ update: { name: A, fields: {}, createTime: 'x' } }]),
    ]);
    return { what: 'malformed commit', method: 'POST', path: `${ROOT}:commit`, body };
  },
  (g) => {
    const fields = g.pick<Json>([
      { '': { integerValue: '1' } },
      { __bad__: { integerValue: '1' } },
      { a: nested(21) },
      { a: nested(20) },
      { a: { stringValue: 'x'.repeat(1_048_487) } },
      { [`${'k'.repeat(1501)}`]: { integerValue: '1' } },
    ]);
    return {
      what: 'bad or oversize fields',
      method: 'POST',
      path: `${ROOT}:commit`,
      body: commit([set(fields)]),
    };
  },
  (g) => {
    const mask = g.pick(['a..b', '', '`a', 'a.', '.a', 'a b', '`a`.`', '__name__', 'a.__x__']);
    const where = g.chance(0.5) ? 'updateMask' : 'transform';
    const w: Json =
      where === 'updateMask'
        ? { ...set({}), updateMask: { fieldPaths: [mask] } }
        : { ...set({}), updateTransforms: [{ fieldPath: mask, setToServerValue: 'REQUEST_TIME' }] };
    return {
      what: `invalid field path in ${where}`,
      method: 'POST',
      path: `${ROOT}:commit`,
      body: commit([w]),
    };
  },
  (g) => {
    const t = g.pick<Json[]>([
      [{ fieldPath: 'n', increment: { stringValue: 'x' } }],
      [{ fieldPath: 'n', setToServerValue: 'BOGUS' }],
      [{ fieldPath: 'n' }],
      [
        { fieldPath: 'n', increment: { integerValue: '1' } },
        { fieldPath: 'n', increment: { integerValue: '2' } },
      ],
      [{ fieldPath: 'n', appendMissingElements: { values: 'x' } }],
      [{ fieldPath: 'n', maximum: { arrayValue: { values: [] } } }],
      [{ fieldPath: 'n', increment: { integerValue: '1' }, maximum: { integerValue: '1' } }],
      [{ fieldPath: 'a.b', increment: { integerValue: '1' } }],
    ]);
    const w = { ...set({ a: { integerValue: '1' } }), updateTransforms: t };
    return { what: 'bad transform', method: 'POST', path: `${ROOT}:commit`, body: commit([w]) };
  },
  (g) => {
    const q = g.pick<Json>([
      { limit: -1 },
      { limit: 'x' },
      { offset: -1 },
      { bogus: true },
      { from: [] },
      { from: [{ collectionId: 'c' }, { collectionId: 'd' }] },
      { from: [{ collectionId: 'c/d' }] },
      { from: [{ collectionId: '' }] },
      { where: { fieldFilter: { field: { fieldPath: '' }, op: 'EQUAL', value: { integerValue: '1' } } } },
      { where: { fieldFilter: { field: { fieldPath: 'a' }, op: 'BOGUS', value: { integerValue: '1' } } } },
      { where: { fieldFilter: { field: { fieldPath: 'a' }, op: 'IN', value: { integerValue: '1' } } } },
      { where: { fieldFilter: { field: { fieldPath: 'a' }, op: 'EQUAL' } } },
      { where: { compositeFilter: { op: 'AND', filters: [] } } },
      { where: { unaryFilter: { field: { fieldPath: 'a' }, op: 'IS_BOGUS' } } },
      { orderBy: [{ field: { fieldPath: 'a.' } }] },
      { orderBy: [{ field: { fieldPath: 'a' }, direction: 'SIDEWAYS' }] },
      { select: { fields: [{ fieldPath: '`a' }] } },
    ]);
    return { what: 'malformed query', method: 'POST', path: `${ROOT}:runQuery`, body: query(q) };
  },
  (g) => {
    const q = g.pick<Json>([
      {
        orderBy: [{ field: { fieldPath: 'a' } }],
        startAt: { values: [{ integerValue: '1' }, { integerValue: '2' }, { integerValue: '3' }] },
      },
      { orderBy: [{ field: { fieldPath: '__name__' } }], startAt: { values: [{ stringValue: 'a' }] } },
      {
        orderBy: [{ field: { fieldPath: '__name__' } }],
        startAt: { values: [{ referenceValue: `${ROOT}/d/a` }] },
      },
      {
        orderBy: [{ field: { fieldPath: '__name__' } }],
        endAt: { values: [{ referenceValue: `${ROOT}/c/a/b/c` }] },
      },
      { startAt: { values: [{ integerValue: '1' }] } },
      { startAt: { values: [] } },
      { startAt: { values: 'x' } },
    ]);
    return { what: 'bad cursor', method: 'POST', path: `${ROOT}:runQuery`, body: query(q) };
  },
  (g) => {
    const body = g.pick([
      JSON.stringify({ documents: [] }),
      JSON.stringify({ documents: 'x' }),
      JSON.stringify({ documents: [A], mask: { fieldPaths: ['a..b'] } }),
      JSON.stringify({ documents: [A], transaction: 'x', readTime: '2020-01-01T00:00:00Z' }),
      JSON.stringify({ documents: [A], readTime: 'soon' }),
      JSON.stringify({ documents: [A, A] }),
      JSON.stringify({ documents: [A], newTransaction: { readOnly: {}, readWrite: {} } }),
    ]);
    return { what: 'malformed batchGet', method: 'POST', path: `${ROOT}:batchGet`, body };
  },
  (g) => {
    const body = g.pick([
      JSON.stringify({ options: { readOnly: {}, readWrite: {} } }),
      JSON.stringify({ options: { readWrite: { retryTransaction: 'x' } } }),
      JSON.stringify({ options: { readOnly: { readTime: 'x' } } }),
      JSON.stringify({ options: 'x' }),
    ]);
    const root = ROOT.replace(/\/documents$/, '');
    return {
      what: 'malformed beginTransaction',
      method: 'POST',
      path: `${root}/documents:beginTransaction`,
      body,
    };
  },
  (g) => {
    const body = g.pick([
      query({}, { structuredQuery: undefined }),
      JSON.stringify({}),
      query({ limit: 1 }, { readTime: 'x' }),
      query({}, { transaction: '!!' }),
      JSON.stringify({ structuredQuery: 'x' }),
    ]);
    return { what: 'malformed runQuery body', method: 'POST', path: `${ROOT}:runQuery`, body };
  },
  (g) => {
    const body = JSON.stringify({
      structuredAggregationQuery: {
        structuredQuery: { from: [{ collectionId: 'c' }] },
        aggregations: g.pick<Json[]>([
          [],
          [{ alias: 'x', sum: {} }],
          [{ alias: 'x', count: { upTo: '-1' } }],
          [{ alias: '', count: {} }],
          [
            { alias: 'x', count: {} },
            { alias: 'x', count: {} },
          ],
          [{ alias: 'x', avg: { field: { fieldPath: 'a..b' } } }],
          [{ alias: 'x' }],
        ]),
      },
    });
    return { what: 'malformed aggregation', method: 'POST', path: `${ROOT}:runAggregationQuery`, body };
  },
  (g) => {
    const q = g.pick([
      'pageSize=-1',
      'pageToken=bogus',
      'orderBy=a%20sideways',
      'mask.fieldPaths=a..b',
      'showMissing=maybe',
    ]);
    return { what: 'bad list parameters', method: 'GET', path: `${ROOT}/c?${q}` };
  },
];

export function genBad(g: Gen): BadRequest {
  return g.pick(MAKERS)(g);
}
