/**
 * Our own random corpus for the differential harness: documents with values of every type, then
 * one request — a query, an aggregation or a write batch — in REST (proto3 JSON) form. Everything
 * comes from one seeded PRNG, so a case replays from (seed, index).
 */
import { prng } from '../../../test-support/prng.js';
import { type BadRequest, genBad } from './bad-corpus.js';
import { genListen, type ListenCase } from './listen.js';
import { ROOT } from './names.js';
import { genRulesCase, type RulesCase, rulesDocs } from './rules-corpus.js';

export type Json = Record<string, unknown>;

export interface SeedDoc {
  path: string;
  fields: Json;
}

/** A read, alone or after commits at a `readTime`. */
export type Read =
  | { kind: 'batchGet'; body: { documents: string[]; mask?: Json } }
  | { kind: 'query'; body: Json }
  | { kind: 'aggregate'; body: Json };

/**
 * Reads as of an earlier time (issue 18): commits run one after another, then `read` is sent at
 * the commit time of step `at` (0 = the seeding commit) — each emulator's own — or at a time both
 * must refuse. `via` says how: the request's readTime, a new read-only transaction with it, a
 * transaction begun with it (beginTransaction), or, for `list`, the GET list's query parameter.
 */
export interface ReadAt {
  commits: Json[][];
  at: number | 'future' | 'old' | 'epoch';
  via: 'readTime' | 'newTransaction' | 'transaction' | 'list';
  read: Read;
}

/**
 * One step of a transaction case. Transactions are named by slot (0 began first, so it is older).
 * `pending: true` sends a read without waiting for its answer (it may wait for a lock another
 * transaction holds); `await` collects it later. `outside` is a commit without a transaction.
 */
export type TxnStep =
  | { op: 'begin'; t: number; readOnly: boolean }
  | { op: 'get'; t: number; documents: string[]; pending?: boolean }
  | { op: 'query'; t: number; structuredQuery: Json }
  | { op: 'await'; t: number }
  | { op: 'commit'; t: number; writes: Json[] }
  | { op: 'rollback'; t: number }
  | { op: 'outside'; writes: Json[] }
  | { op: 'getWith'; transaction: string; documents: string[] };

export type Request =
  | Read
  | { kind: 'commit'; body: { writes: Json[] } }
  | { kind: 'readAt'; body: ReadAt }
  | { kind: 'txn'; body: { steps: TxnStep[] } }
  | { kind: 'rules'; body: RulesCase }
  | { kind: 'bad'; body: BadRequest }
  | { kind: 'listen'; body: ListenCase };

export interface Case {
  id: string;
  docs: SeedDoc[];
  request: Request;
}

export { PROJECT, ROOT } from './names.js';

/** Ids include numeric ids (`__id<n>__`), digits, upper and lower case, so name order matters. */
const IDS = ['a', 'b', 'B', 'c1', '7', '12', '__id3__', '__id-1__', '__id12__', 'zz', 'é'];
const FIELDS = ['a', 'b', 'c', 'm.x', 'arr'];
const STRINGS = ['', 'a', 'B', 'ab', 'é', '😀', 'a b', 'z'];
const TIMES = ['1970-01-01T00:00:00Z', '2001-02-03T04:05:06.789Z', '2020-06-01T12:00:00.000001Z'];

export class Gen {
  private readonly r: () => number;
  constructor(seed: number) {
    this.r = prng(seed);
  }
  int(n: number): number {
    return Math.floor(this.r() * n);
  }
  chance(p: number): boolean {
    return this.r() < p;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }

  scalar(): Json {
    switch (this.int(12)) {
      case 0:
        return { nullValue: null };
      case 1:
        return { booleanValue: this.chance(0.5) };
      case 2:
      case 3:
        return { integerValue: String(this.pick([0, 1, 2, -1, 3, 10, 42])) };
      case 4:
        return { integerValue: this.pick(['9223372036854775807', '-9223372036854775808', '1000000000000']) };
      case 5:
        return {
          doubleValue: this.pick<number | string>([
            1,
            1.5,
            -2.25,
            0.1,
            'NaN',
            'Infinity',
            '-Infinity',
            1e300,
          ]),
        };
      case 6:
        return { timestampValue: this.pick(TIMES) };
      case 7:
      case 8:
        return { stringValue: this.pick(STRINGS) };
      case 9:
        return { bytesValue: this.pick(['', 'AA==', 'AQID', '/w=='] as const) };
      case 10:
        return { referenceValue: `${ROOT}/c/${this.pick(IDS)}` };
      default:
        return { geoPointValue: { latitude: this.pick([0, 1.5, -45]), longitude: this.pick([0, 10, -120]) } };
    }
  }

  value(depth = 0): Json {
    const k = this.int(10);
    if (depth < 2 && k === 0) {
      const n = this.int(3);
      return {
        arrayValue: {
          values: Array.from({ length: n }, () => this.value(depth + 1)).filter((v) => !('arrayValue' in v)),
        },
      };
    }
    if (depth < 2 && k === 1) {
      const fields: Json = {};
      for (let i = this.int(3); i > 0; i--) fields[this.pick(['x', 'y', 'a'])] = this.value(depth + 1);
      return { mapValue: { fields } };
    }
    return this.scalar();
  }

  fields(): Json {
    const out: Json = {};
    for (const f of ['a', 'b', 'c', 'arr'] as const) {
      if (!this.chance(0.7)) continue;
      out[f] =
        f === 'arr'
          ? { arrayValue: { values: [this.scalar(), this.scalar()].slice(0, 1 + this.int(2)) } }
          : this.value();
    }
    if (this.chance(0.4)) out['m'] = { mapValue: { fields: { x: this.scalar() } } };
    return out;
  }

  docs(): SeedDoc[] {
    const out: SeedDoc[] = [];
    const ids = IDS.filter(() => this.chance(0.5));
    for (const id of ids) out.push({ path: `c/${id}`, fields: this.fields() });
    if (this.chance(0.3))
      out.push({ path: `c/${this.pick(IDS)}/c/${this.pick(IDS)}`, fields: this.fields() });
    return out;
  }

  fieldRef(): Json {
    return { fieldPath: this.pick(FIELDS) };
  }

  filter(depth = 0): Json {
    const k = this.int(10);
    if (depth < 2 && k === 0) {
      const filters = Array.from({ length: 2 + this.int(2) }, () => this.filter(depth + 1));
      return { compositeFilter: { op: this.pick(['AND', 'OR']), filters } };
    }
    if (k === 1) {
      return {
        unaryFilter: {
          field: this.fieldRef(),
          op: this.pick(['IS_NULL', 'IS_NOT_NULL', 'IS_NAN', 'IS_NOT_NAN']),
        },
      };
    }
    if (k === 2) {
      const op = this.pick(['EQUAL', 'GREATER_THAN', 'LESS_THAN_OR_EQUAL', 'IN', 'NOT_IN']);
      const r = () => ({ referenceValue: `${ROOT}/c/${this.pick(IDS)}` });
      const value = op === 'IN' || op === 'NOT_IN' ? { arrayValue: { values: [r(), r()] } } : r();
      return { fieldFilter: { field: { fieldPath: '__name__' }, op, value } };
    }
    const op = this.pick([
      'EQUAL',
      'EQUAL',
      'NOT_EQUAL',
      'LESS_THAN',
      'LESS_THAN_OR_EQUAL',
      'GREATER_THAN',
      'GREATER_THAN_OR_EQUAL',
      'ARRAY_CONTAINS',
      'IN',
      'ARRAY_CONTAINS_ANY',
      'NOT_IN',
    ]);
    const list = op === 'IN' || op === 'NOT_IN' || op === 'ARRAY_CONTAINS_ANY';
    const value = list
      ? { arrayValue: { values: [this.scalar(), this.scalar()].slice(0, 1 + this.int(2)) } }
      : this.scalar();
    // `== null` and friends as raw field filters are not what SDKs send (they send IS_NULL).
    if (!list && 'nullValue' in value) return { unaryFilter: { field: this.fieldRef(), op: 'IS_NULL' } };
    return { fieldFilter: { field: this.fieldRef(), op, value } };
  }

  structuredQuery(): Json {
    const q: Json = { from: [{ collectionId: 'c', ...(this.chance(0.2) ? { allDescendants: true } : {}) }] };
    if (this.chance(0.7)) q['where'] = this.filter();
    if (this.chance(0.5)) {
      const fields = [
        ...new Set(Array.from({ length: 1 + this.int(2) }, () => this.pick([...FIELDS, '__name__']))),
      ];
      q['orderBy'] = fields.map((fieldPath) => ({
        field: { fieldPath },
        direction: this.pick(['ASCENDING', 'DESCENDING']),
      }));
      if (this.chance(0.3)) {
        const values = fields.map((f) =>
          f === '__name__' ? { referenceValue: `${ROOT}/c/${this.pick(IDS)}` } : this.scalar(),
        );
        q[this.pick(['startAt', 'endAt'])] = { values, before: this.chance(0.5) };
      }
    }
    if (this.chance(0.3)) q['limit'] = this.int(4);
    if (this.chance(0.15)) q['offset'] = this.int(3);
    if (this.chance(0.15)) q['select'] = { fields: [this.fieldRef()] };
    return q;
  }

  aggregation(): Json {
    const aggs = Array.from({ length: 1 + this.int(3) }, (_, i) => {
      const alias = `x${i}`;
      const k = this.int(3);
      if (k === 0) return { alias, count: this.chance(0.3) ? { upTo: String(1 + this.int(3)) } : {} };
      return { alias, [k === 1 ? 'sum' : 'avg']: { field: { fieldPath: this.pick(['a', 'b', 'm.x']) } } };
    });
    const sq = this.structuredQuery();
    delete sq['select'];
    return { structuredAggregationQuery: { structuredQuery: sq, aggregations: aggs } };
  }

  write(): Json {
    const name = `${ROOT}/c/${this.pick(IDS.slice(0, 5))}`;
    const k = this.int(8);
    if (k === 0)
      return { delete: name, ...(this.chance(0.3) ? { currentDocument: { exists: this.chance(0.5) } } : {}) };
    const w: Json = { update: { name, fields: this.fields() } };
    if (k === 1) w['currentDocument'] = { exists: false };
    if (k === 2 || k === 3) {
      w['updateMask'] = { fieldPaths: [...new Set([this.pick(FIELDS), this.pick(FIELDS)])] };
      if (k === 2) w['currentDocument'] = { exists: true };
    }
    if (this.chance(0.4)) {
      const fieldPath = this.pick(['a', 'b', 'n']);
      const t = this.int(6);
      const num = () =>
        this.pick([
          { integerValue: '1' },
          { integerValue: '-3' },
          { doubleValue: 2.5 },
          { doubleValue: 'NaN' },
        ]);
      w['updateTransforms'] = [
        t === 0
          ? { fieldPath, setToServerValue: 'REQUEST_TIME' }
          : t === 1
            ? { fieldPath, increment: num() }
            : t === 2
              ? { fieldPath, maximum: num() }
              : t === 3
                ? { fieldPath, minimum: num() }
                : {
                    fieldPath,
                    [t === 4 ? 'appendMissingElements' : 'removeAllFromArray']: { values: [this.scalar()] },
                  },
      ];
    }
    return w;
  }

  /** A deliberately bad piece of a request: reserved or malformed names and field paths. */
  badName(): string {
    return `${ROOT}/${this.pick(['c/__x__', '__x__/d', 'c', 'c/a/b', 'c/__id0__', 'c/__id007__', 'c/____', 'c//d'])}`;
  }

  badWrite(): Json {
    switch (this.int(5)) {
      case 0:
        return { update: { name: this.badName(), fields: {} } };
      case 1:
        return { update: { name: `${ROOT}/c/a`, fields: { __bad__: { nullValue: null } } } };
      case 2:
        return {
          update: {
            name: `${ROOT}/c/a`,
            fields: { a: { arrayValue: { values: [{ arrayValue: { values: [] } }] } } },
          },
        };
      case 3:
        return {
          update: { name: `${ROOT}/c/a`, fields: {} },
          updateMask: { fieldPaths: [this.pick(['a..b', '', '`a', 'a.'])] },
        };
      default:
        return {
          delete: `${ROOT}/c/a`,
          updateTransforms: [{ fieldPath: 'n', increment: { integerValue: '1' } }],
        };
    }
  }

  /** A write that cannot fail on the document's state: a set, a masked set or a delete. */
  plainWrite(): Json {
    const w = this.write();
    delete w['currentDocument'];
    return w;
  }

  readAt(): Request {
    const commits = Array.from({ length: 1 + this.int(3) }, () =>
      Array.from({ length: 1 + this.int(2) }, () => this.plainWrite()),
    );
    const at = this.chance(0.1)
      ? this.pick(['future', 'old', 'epoch'] as const)
      : this.int(commits.length + 1);
    const via = this.pick(['readTime', 'readTime', 'newTransaction', 'transaction', 'list'] as const);
    let read: Read;
    const k = this.int(3);
    if (via === 'list' || k === 0) {
      const documents = Array.from(
        { length: 1 + this.int(3) },
        () => `${ROOT}/c/${this.pick(IDS.slice(0, 5))}`,
      );
      read = { kind: 'batchGet', body: { documents: [...new Set(documents)] } };
    } else if (k === 1) read = { kind: 'query', body: { structuredQuery: this.structuredQuery() } };
    else read = { kind: 'aggregate', body: this.aggregation() };
    return { kind: 'readAt', body: { commits, at, via, read } };
  }

  /**
   * A transaction sequence from one of a few shapes: read then commit with a write outside the
   * read set; two read-write transactions contending for one document (the younger one reading
   * second, or first); a read-only transaction reading twice around a write; reads and commits
   * after a rollback or with a made-up id. Writes outside transactions never touch a document a
   * live read-write transaction has read: ours does not make them wait for its lock (README).
   */
  txn(): Request {
    const ids = IDS.slice(0, 5);
    const doc = () => `${ROOT}/c/${this.pick(ids)}`;
    const x = doc();
    const others = ids.map((i) => `${ROOT}/c/${i}`).filter((d) => d !== x);
    const setOf = (name: string): Json => {
      const w = this.plainWrite();
      if ('delete' in w) return { delete: name };
      return { ...w, update: { ...(w['update'] as Json), name } };
    };
    const steps: TxnStep[] = [];
    switch (this.int(6)) {
      case 0:
        steps.push({ op: 'begin', t: 0, readOnly: false });
        steps.push({ op: 'get', t: 0, documents: [x] });
        if (this.chance(0.5)) steps.push({ op: 'outside', writes: [setOf(this.pick(others))] });
        steps.push({ op: 'commit', t: 0, writes: [setOf(x), ...(this.chance(0.5) ? [setOf(doc())] : [])] });
        break;
      case 1:
        // The older transaction holds the lock; the younger one's read waits for its commit.
        steps.push({ op: 'begin', t: 0, readOnly: false }, { op: 'begin', t: 1, readOnly: false });
        steps.push({ op: 'get', t: 0, documents: [x] });
        steps.push({ op: 'get', t: 1, documents: [x], pending: true });
        steps.push(this.chance(0.7) ? { op: 'commit', t: 0, writes: [setOf(x)] } : { op: 'rollback', t: 0 });
        steps.push({ op: 'await', t: 1 }, { op: 'commit', t: 1, writes: [setOf(x)] });
        break;
      case 2:
        // The younger transaction reads first; the older one's read contends with it.
        steps.push({ op: 'begin', t: 0, readOnly: false }, { op: 'begin', t: 1, readOnly: false });
        steps.push({ op: 'get', t: 1, documents: [x] });
        steps.push({ op: 'get', t: 0, documents: [x], pending: true });
        steps.push({ op: 'commit', t: 1, writes: [setOf(x)] });
        steps.push({ op: 'await', t: 0 }, { op: 'commit', t: 0, writes: [setOf(x)] });
        break;
      case 3:
        steps.push({ op: 'begin', t: 0, readOnly: true });
        steps.push({ op: 'get', t: 0, documents: [x] });
        steps.push({ op: 'outside', writes: [setOf(x)] });
        steps.push({ op: 'get', t: 0, documents: [x] });
        steps.push({ op: 'query', t: 0, structuredQuery: { from: [{ collectionId: 'c' }] } });
        steps.push({ op: 'commit', t: 0, writes: this.chance(0.3) ? [setOf(x)] : [] });
        break;
      case 4:
        steps.push({ op: 'begin', t: 0, readOnly: this.chance(0.3) });
        steps.push({ op: 'query', t: 0, structuredQuery: this.structuredQuery() });
        steps.push({ op: 'rollback', t: 0 });
        steps.push(
          this.chance(0.5)
            ? { op: 'get', t: 0, documents: [x] }
            : { op: 'commit', t: 0, writes: this.chance(0.5) ? [setOf(x)] : [] },
        );
        if (this.chance(0.5)) steps.push({ op: 'rollback', t: 0 });
        break;
      default:
        steps.push({
          op: 'getWith',
          transaction: this.pick(['bm90LWEtdHJhbnNhY3Rpb24=', 'EQIAAAAAAAAA', '!!']),
          documents: [x],
        });
    }
    return { kind: 'txn', body: { steps } };
  }

  request(): Request {
    if (this.chance(0.1)) {
      const documents = Array.from({ length: 1 + this.int(3) }, () =>
        this.chance(0.8) ? `${ROOT}/c/${this.pick(IDS)}` : this.badName(),
      );
      return {
        kind: 'batchGet',
        body: { documents, ...(this.chance(0.3) ? { mask: { fieldPaths: [this.pick(FIELDS)] } } : {}) },
      };
    }
    if (this.chance(0.05)) return { kind: 'commit', body: { writes: [this.write(), this.badWrite()] } };
    const k = this.int(10);
    if (k < 5) return { kind: 'query', body: { structuredQuery: this.structuredQuery() } };
    if (k < 7) return { kind: 'aggregate', body: this.aggregation() };
    return { kind: 'commit', body: { writes: Array.from({ length: 1 + this.int(3) }, () => this.write()) } };
  }
}

export function makeCase(seed: number, index: number): Case {
  const g = new Gen((seed * 100_003 + index) >>> 0);
  // Every eighth case reads at a readTime, every eighth (3 mod 8) is a transaction sequence. The
  // slower new kinds come less often, to keep the default run short (more with --kind): every
  // sixteenth (5 mod 16) a rules file with requests as several users, every sixteenth (1 mod 16) a
  // bad request sent as raw bytes over REST, every 64th (0 mod 64) a listen (WebChannel for REST,
  // gRPC Listen for gRPC) while commits run.
  if (index % 16 === 5)
    return { id: `${seed}:${index}`, docs: rulesDocs(g), request: { kind: 'rules', body: genRulesCase(g) } };
  const docs = g.docs();
  if (index % 64 === 0) {
    return { id: `${seed}:${index}`, docs, request: { kind: 'listen', body: genListen(g, IDS.slice(0, 5)) } };
  }
  if (index % 16 === 1) return { id: `${seed}:${index}`, docs, request: { kind: 'bad', body: genBad(g) } };
  const request = index % 8 === 7 ? g.readAt() : index % 8 === 3 ? g.txn() : g.request();
  return { id: `${seed}:${index}`, docs, request };
}
