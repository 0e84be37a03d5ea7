/** Query semantics on the core (no transport): operators, ordering, cursors, indexes, groups. */
import { describe, expect, it } from 'vitest';
import { OWNER } from './auth.js';
import { Database } from './database.js';
import { jsonCodec, jsonValue } from './json-codec.js';
import { parseQuery, runQuery } from './query.js';
import { parseWrite } from './writes.js';

const ROOT = 'projects/p/databases/(default)/documents';

function freshDb(): Database {
  return new Database({ project: 'p', database: '(default)' }, () => ({
    engine: null,
    database: '(default)',
  }));
}

function put(db: Database, path: string, data: Record<string, unknown>): void {
  const fields: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(data)) fields[k] = toJson(v);
  db.applyBatch(OWNER, [parseWrite({ update: { name: `${ROOT}/${path}`, fields } }, jsonCodec)]);
}

function toJson(v: unknown): unknown {
  if (v === null) return { nullValue: null };
  if (typeof v === 'string') return { stringValue: v };
  if (typeof v === 'boolean') return { booleanValue: v };
  if (typeof v === 'number') {
    if (Number.isNaN(v)) return { doubleValue: 'NaN' };
    return Number.isInteger(v) && !Object.is(v, -0) ? { integerValue: String(v) } : { doubleValue: v };
  }
  if (Array.isArray(v)) return { arrayValue: { values: v.map(toJson) } };
  if (typeof v === 'object' && v && 'double' in v) return { doubleValue: (v as { double: number }).double };
  const fields: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v as object)) fields[k] = toJson(x);
  return { mapValue: { fields } };
}

type Where = [string, string, unknown];
function q(
  db: Database,
  coll: string,
  opts: {
    where?: Where[];
    or?: Where[];
    orderBy?: [string, 'asc' | 'desc'][];
    limit?: number;
    startAt?: [unknown[], boolean];
    endAt?: [unknown[], boolean];
    group?: boolean;
    parent?: string;
    select?: string[];
  },
): string[] {
  const ops: Record<string, string> = {
    '==': 'EQUAL',
    '!=': 'NOT_EQUAL',
    '<': 'LESS_THAN',
    '<=': 'LESS_THAN_OR_EQUAL',
    '>': 'GREATER_THAN',
    '>=': 'GREATER_THAN_OR_EQUAL',
    in: 'IN',
    'not-in': 'NOT_IN',
    'array-contains': 'ARRAY_CONTAINS',
    'array-contains-any': 'ARRAY_CONTAINS_ANY',
  };
  const filter = ([f, op, v]: Where) =>
    op === 'is-nan' || op === 'is-null'
      ? { unaryFilter: { field: { fieldPath: f }, op: op === 'is-nan' ? 'IS_NAN' : 'IS_NULL' } }
      : { fieldFilter: { field: { fieldPath: f }, op: ops[op], value: toJson(v) } };
  const where = opts.or
    ? { compositeFilter: { op: 'OR', filters: opts.or.map(filter) } }
    : opts.where && { compositeFilter: { op: 'AND', filters: opts.where.map(filter) } };
  const raw = {
    from: [{ collectionId: coll, allDescendants: opts.group === true }],
    where,
    orderBy: opts.orderBy?.map(([f, d]) => ({
      field: { fieldPath: f },
      direction: d === 'desc' ? 'DESCENDING' : 'ASCENDING',
    })),
    limit: opts.limit,
    startAt: opts.startAt && { values: opts.startAt[0].map(toJson), before: opts.startAt[1] },
    endAt: opts.endAt && { values: opts.endAt[0].map(toJson), before: opts.endAt[1] },
    select: opts.select && { fields: opts.select.map((fieldPath) => ({ fieldPath })) },
  };
  const query = parseQuery(opts.parent ?? '', raw, jsonCodec);
  return runQuery(query, db.store, ROOT).map((d) => d.path.slice(d.path.lastIndexOf('/') + 1));
}

describe('filters', () => {
  const db = freshDb();
  put(db, 'c/a', { v: 1, s: 'x', arr: [1, 2] });
  put(db, 'c/b', { v: { double: 1.0 }, s: null });
  put(db, 'c/c', { v: 'one', arr: ['x'] });
  put(db, 'c/d', { v: Number.NaN });
  put(db, 'c/e', { other: true });
  put(db, 'c/f', { v: 3, s: 'y', arr: [2, 3] });

  it('matches ints and doubles by value and keeps range filters within a type', () => {
    expect(q(db, 'c', { where: [['v', '==', 1]] })).toEqual(['a', 'b']);
    expect(q(db, 'c', { where: [['v', '>', 0]] })).toEqual(['a', 'b', 'f']);
    expect(q(db, 'c', { where: [['v', '>=', '']] })).toEqual(['c']);
    expect(q(db, 'c', { where: [['v', 'is-nan', null]] })).toEqual(['d']);
  });

  it('excludes missing fields and nulls from != and not-in', () => {
    expect(q(db, 'c', { where: [['s', '!=', 'x']] })).toEqual(['f']);
    expect(q(db, 'c', { where: [['s', 'not-in', ['y']]] })).toEqual(['a']);
    expect(q(db, 'c', { where: [['s', 'not-in', ['y', null]]] })).toEqual([]);
    expect(q(db, 'c', { where: [['s', '==', null]] })).toEqual(['b']);
  });

  it('supports array operators, in and OR', () => {
    expect(q(db, 'c', { where: [['arr', 'array-contains', 2]] })).toEqual(['a', 'f']);
    expect(q(db, 'c', { where: [['arr', 'array-contains-any', ['x', 3]]] })).toEqual(['c', 'f']);
    expect(q(db, 'c', { where: [['v', 'in', [3, 'one']]] })).toEqual(['c', 'f']);
    expect(
      q(db, 'c', {
        or: [
          ['s', '==', 'y'],
          ['other', '==', true],
        ],
      }),
    ).toEqual(['e', 'f']);
  });
});

describe('ordering and cursors', () => {
  const db = freshDb();
  const rows: [string, number, string][] = [
    ['a', 3, 'q'],
    ['b', 1, 'q'],
    ['c', 2, 'p'],
    ['d', 2, 'q'],
    ['e', 5, 'p'],
  ];
  for (const [id, n, g] of rows) put(db, `o/${id}`, { n, g });
  put(db, 'o/nofield', { g: 'q' });

  it('orders by several fields with implicit __name__ and skips docs missing an order field', () => {
    expect(
      q(db, 'o', {
        orderBy: [
          ['g', 'asc'],
          ['n', 'desc'],
        ],
      }),
    ).toEqual(['e', 'c', 'a', 'd', 'b']);
    expect(q(db, 'o', { orderBy: [['n', 'desc']] })).toEqual(['e', 'a', 'd', 'c', 'b']);
    // Inequality fields are ordered implicitly.
    expect(q(db, 'o', { where: [['n', '>=', 2]] })).toEqual(['c', 'd', 'a', 'e']);
  });

  it('applies startAt/startAfter/endAt/endBefore including partial cursors', () => {
    const order: [string, 'asc' | 'desc'][] = [['n', 'asc']];
    expect(q(db, 'o', { orderBy: order, startAt: [[2], true] })).toEqual(['c', 'd', 'a', 'e']);
    expect(q(db, 'o', { orderBy: order, startAt: [[2], false] })).toEqual(['a', 'e']);
    expect(q(db, 'o', { orderBy: order, endAt: [[2], false] })).toEqual(['b', 'c', 'd']);
    expect(q(db, 'o', { orderBy: order, endAt: [[2], true] })).toEqual(['b']);
    const named = [{ referenceValue: `${ROOT}/o/c` }];
    const raw = parseQuery(
      '',
      {
        from: [{ collectionId: 'o' }],
        // A cursor positions the stated orders only (Google's emulator: 'Cursor has too many values.').
        orderBy: [{ field: { fieldPath: 'n' } }, { field: { fieldPath: '__name__' } }],
        startAt: { values: [jsonValue({ integerValue: '2' }), named[0]], before: false },
      },
      {
        ...jsonCodec,
        value: (v) =>
          typeof v === 'object' && v && 'referenceValue' in v ? (v as never) : jsonCodec.value(v),
      },
    );
    expect(runQuery(raw, db.store, ROOT).map((d) => d.path)).toEqual(['o/d', 'o/a', 'o/e']);
    expect(() =>
      parseQuery(
        '',
        {
          from: [{ collectionId: 'o' }],
          orderBy: [{ field: { fieldPath: 'n' } }],
          startAt: { values: [{ integerValue: '2' }, { integerValue: '3' }] },
        },
        jsonCodec,
      ),
    ).toThrow('Cursor has too many values.');
    expect(q(db, 'o', { orderBy: [['n', 'desc']], startAt: [[3], true], limit: 2 })).toEqual(['a', 'd']);
  });
});

describe('collection groups and projections', () => {
  it('finds every collection with the id below the parent only', () => {
    const db = freshDb();
    put(db, 'posts/top', { n: 1 });
    put(db, 'users/u1/posts/p', { n: 2 });
    put(db, 'users/u1/x/y/posts/deep', { n: 3 });
    put(db, 'users/u2/posts/q', { n: 4 });
    expect(q(db, 'posts', { group: true, orderBy: [['n', 'asc']] })).toEqual(['top', 'p', 'deep', 'q']);
    expect(q(db, 'posts', { group: true, parent: 'users/u1' })).toEqual(['p', 'deep']);
    expect(q(db, 'posts', { parent: 'users/u1' })).toEqual(['p']);
  });
});

describe('equality index', () => {
  it('returns exactly what a full scan returns, through inserts, updates and deletes', () => {
    const db = freshDb();
    let seed = 42;
    const rnd = () => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed / 2147483648;
    };
    const values = [1, { double: 1.0 }, 2, 'a', 'b', null, true, false];
    for (let round = 0; round < 400; round++) {
      const id = `d${Math.floor(rnd() * 60)}`;
      if (rnd() < 0.2) {
        db.applyBatch(OWNER, [parseWrite({ delete: `${ROOT}/idx/${id}` }, jsonCodec)]);
      } else {
        const v = values[Math.floor(rnd() * values.length)];
        put(db, `idx/${id}`, rnd() < 0.1 ? { other: 1 } : { k: v, n: round });
      }
      if (round % 20 === 0) {
        for (const v of values) {
          const viaIndex = q(db, 'idx', { where: [['k', '==', v]] });
          // `in` (and IS_NULL, since `in` never matches null) is answered by a scan, `==` by the index.
          const scan = q(db, 'idx', { where: [v === null ? ['k', 'is-null', null] : ['k', 'in', [v]]] });
          expect(viaIndex).toEqual(scan);
        }
      }
    }
  });
});
