/**
 * Structured queries: parsing into a normalized form (implicit orderBy on inequality fields and
 * `__name__`, https://firebase.google.com/docs/firestore/query-data/order-limit-data and
 * google/firestore/v1/query.proto comments) and evaluation over the store.
 */
import { type Codec, enumName, isRecord } from './codec.js';
import { Code, FirestoreError, invalid } from './errors.js';
import { parseFieldPath, validateSegment } from './paths.js';
import type { Store, StoredDoc } from './store.js';
import {
  arrayContains,
  compareNames,
  compareValues,
  type Fields,
  getField,
  indexKey,
  isNaNValue,
  typeOrder,
  type Value,
  valuesEqual,
} from './values.js';

export type FieldOp =
  | 'LESS_THAN'
  | 'LESS_THAN_OR_EQUAL'
  | 'GREATER_THAN'
  | 'GREATER_THAN_OR_EQUAL'
  | 'EQUAL'
  | 'NOT_EQUAL'
  | 'ARRAY_CONTAINS'
  | 'IN'
  | 'ARRAY_CONTAINS_ANY'
  | 'NOT_IN';
export type UnaryOp = 'IS_NAN' | 'IS_NULL' | 'IS_NOT_NAN' | 'IS_NOT_NULL';

const FIELD_OPS = [
  'OPERATOR_UNSPECIFIED',
  'LESS_THAN',
  'LESS_THAN_OR_EQUAL',
  'GREATER_THAN',
  'GREATER_THAN_OR_EQUAL',
  'EQUAL',
  'NOT_EQUAL',
  'ARRAY_CONTAINS',
  'IN',
  'ARRAY_CONTAINS_ANY',
  'NOT_IN',
] as const;
const UNARY_OPS = ['OPERATOR_UNSPECIFIED', '', 'IS_NAN', 'IS_NULL', 'IS_NOT_NAN', 'IS_NOT_NULL'] as const;
const COMPOSITE_OPS = ['OPERATOR_UNSPECIFIED', 'AND', 'OR'] as const;
const DIRECTIONS = ['DIRECTION_UNSPECIFIED', 'ASCENDING', 'DESCENDING'] as const;

export interface FieldRef {
  path: string[];
  text: string;
  isName: boolean;
}

export type Filter =
  | { kind: 'field'; field: FieldRef; op: FieldOp; value: Value }
  | { kind: 'unary'; field: FieldRef; op: UnaryOp }
  | { kind: 'composite'; op: 'AND' | 'OR'; filters: Filter[] };

export interface Order {
  field: FieldRef;
  desc: boolean;
}

export interface Cursor {
  values: Value[];
  before: boolean;
}

export interface Query {
  /** Parent document path below `documents/` ('' = root). */
  parent: string;
  collectionId: string;
  allDescendants: boolean;
  filter?: Filter;
  /** Normalized: explicit orders, then implicit inequality fields, then `__name__`. */
  orderBy: Order[];
  /** How many of `orderBy` the query stated (rules see only those as `request.query.orderBy`). */
  explicitOrders?: number;
  startAt?: Cursor;
  endAt?: Cursor;
  offset: number;
  limit?: number;
  select?: FieldRef[];
}

function fieldRef(raw: unknown): FieldRef {
  const text = isRecord(raw) ? raw['fieldPath'] : undefined;
  if (typeof text !== 'string') throw invalid('Field reference requires fieldPath.');
  if (text === '__name__') return { path: ['__name__'], text, isName: true };
  return { path: parseFieldPath(text), text, isName: false };
}

const MAX_DISJUNCTION = 30;

function parseFilter(raw: unknown, codec: Codec, depth: number): Filter | undefined {
  if (!isRecord(raw)) throw invalid('Filter must be an object.');
  if (depth > 20) throw invalid('Filter is nested too deeply.');
  if (raw['compositeFilter'] !== undefined && raw['compositeFilter'] !== null) {
    const c = raw['compositeFilter'];
    if (!isRecord(c)) throw invalid('Invalid compositeFilter.');
    const op = enumName(c['op'], COMPOSITE_OPS);
    if (op !== 'AND' && op !== 'OR') throw invalid('A composite filter must have operator AND or OR.');
    const list = c['filters'] ?? [];
    if (!Array.isArray(list)) throw invalid('compositeFilter.filters must be an array.');
    const filters = list.map((f) => parseFilter(f, codec, depth + 1)).filter((f): f is Filter => !!f);
    if (filters.length === 0) return undefined;
    if (filters.length === 1) return filters[0];
    return { kind: 'composite', op, filters };
  }
  if (raw['fieldFilter'] !== undefined && raw['fieldFilter'] !== null) {
    const f = raw['fieldFilter'];
    if (!isRecord(f)) throw invalid('Invalid fieldFilter.');
    const op = enumName(f['op'], FIELD_OPS);
    if (!op || op === 'OPERATOR_UNSPECIFIED' || !(FIELD_OPS as readonly string[]).includes(op)) {
      throw invalid(`Invalid field filter operator: ${String(f['op'])}.`);
    }
    const field = fieldRef(f['field']);
    const value = codec.value(f['value']);
    if (op === 'IN' || op === 'NOT_IN' || op === 'ARRAY_CONTAINS_ANY') {
      if (!('arrayValue' in value)) throw invalid(`'${op}' requires an ArrayValue.`);
      const n = value.arrayValue.values?.length ?? 0;
      if (n === 0) throw invalid(`A '${op}' filter requires a non-empty array value.`);
      if (n > MAX_DISJUNCTION)
        throw invalid(`A '${op}' filter supports at most ${MAX_DISJUNCTION} elements.`);
    }
    if (field.isName && op !== 'IN' && op !== 'NOT_IN' && !('referenceValue' in value)) {
      throw invalid('__name__ filters require a reference value.');
    }
    return { kind: 'field', field, op: op as FieldOp, value };
  }
  if (raw['unaryFilter'] !== undefined && raw['unaryFilter'] !== null) {
    const u = raw['unaryFilter'];
    if (!isRecord(u)) throw invalid('Invalid unaryFilter.');
    const op = enumName(u['op'], UNARY_OPS);
    if (op !== 'IS_NAN' && op !== 'IS_NULL' && op !== 'IS_NOT_NAN' && op !== 'IS_NOT_NULL') {
      throw invalid(`Invalid unary filter operator: ${String(u['op'])}.`);
    }
    return { kind: 'unary', field: fieldRef(u['field']), op };
  }
  throw invalid('Filter must set one of compositeFilter, fieldFilter or unaryFilter.');
}

function parseCursor(raw: unknown, codec: Codec): Cursor | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!isRecord(raw)) throw invalid('Cursor must be an object.');
  const values = raw['values'] ?? [];
  if (!Array.isArray(values)) throw invalid('Cursor values must be an array.');
  return { values: values.map((v) => codec.value(v)), before: raw['before'] === true };
}

function parseInt32(raw: unknown, what: string): number | undefined {
  if (raw === undefined || raw === null) return undefined;
  const v = isRecord(raw) ? raw['value'] : raw;
  if (v === undefined || v === null) return undefined;
  const n = typeof v === 'string' ? Number(v) : v;
  if (typeof n === 'number' && Number.isInteger(n) && n < 0) throw invalid(`${what} is negative`);
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > 2 ** 31 - 1) {
    throw invalid(`${what} must be a non-negative 32-bit integer.`);
  }
  return n;
}

const INEQUALITY: ReadonlySet<string> = new Set([
  'LESS_THAN',
  'LESS_THAN_OR_EQUAL',
  'GREATER_THAN',
  'GREATER_THAN_OR_EQUAL',
  'NOT_EQUAL',
  'NOT_IN',
  'IS_NOT_NAN',
  'IS_NOT_NULL',
]);

/** Whether the filter (a conjunction) has a not-in whose list holds null, so nothing matches. */
function notInNull(f: Filter | undefined): boolean {
  if (!f) return false;
  if (f.kind === 'composite') return f.op === 'AND' && f.filters.some(notInNull);
  return (
    f.kind === 'field' &&
    f.op === 'NOT_IN' &&
    'arrayValue' in f.value &&
    (f.value.arrayValue.values ?? []).some((x) => 'nullValue' in x)
  );
}

/** Whether every filter is on the key (or there is none). */
function onlyKeyFilters(f: Filter | undefined): boolean {
  if (!f) return true;
  if (f.kind === 'composite') return f.filters.every(onlyKeyFilters);
  return f.field.isName;
}

function inequalityFields(f: Filter | undefined, out: Map<string, FieldRef>): void {
  if (!f) return;
  if (f.kind === 'composite') for (const x of f.filters) inequalityFields(x, out);
  else if (INEQUALITY.has(f.op)) out.set(f.field.text, f.field);
}

/** Every field and unary operator in a filter tree, and whether it has an OR. */
function operators(
  f: Filter | undefined,
  out: { ops: string[]; or: boolean },
): { ops: string[]; or: boolean } {
  if (!f) return out;
  if (f.kind === 'composite') {
    if (f.op === 'OR') out.or = true;
    for (const x of f.filters) operators(x, out);
  } else out.ops.push(f.op);
  return out;
}

/** At most one negation per query, and `not-in` never beside `in`, `array-contains-any` or OR (Google's emulator's messages). */
/** The most array-contains / array-contains-any filters any one disjunct (AND branch) holds. */
function arrayFiltersPerDisjunct(f: Filter): number {
  if (f.kind === 'composite') {
    const n = f.filters.map(arrayFiltersPerDisjunct);
    return f.op === 'AND' ? n.reduce((a, b) => a + b, 0) : Math.max(...n);
  }
  return f.op === 'ARRAY_CONTAINS' || f.op === 'ARRAY_CONTAINS_ANY' ? 1 : 0;
}

function checkNegations(f: Filter | undefined): void {
  const { ops, or } = operators(f, { ops: [], or: false });
  const negations = ops.filter(
    (o) => o === 'NOT_EQUAL' || o === 'NOT_IN' || o === 'IS_NOT_NAN' || o === 'IS_NOT_NULL',
  );
  if (negations.length > 1) {
    throw invalid(
      "Only a single 'NOT_EQUAL', 'NOT_IN', 'IS_NOT_NAN', or 'IS_NOT_NULL' filter allowed per query.",
    );
  }
  if (negations[0] === 'NOT_IN' && (or || ops.includes('IN') || ops.includes('ARRAY_CONTAINS_ANY'))) {
    throw invalid("'NOT_IN' cannot be used in the same query with 'IN', 'ARRAY_CONTAINS_ANY' or 'OR'.");
  }
  // https://firebase.google.com/docs/firestore/query-data/queries#limitations: at most one
  // array-contains or array-contains-any per disjunction (Google's emulator's message and order).
  if (f && arrayFiltersPerDisjunct(f) > 1) {
    throw invalid("A maximum of 1 'ARRAY_CONTAINS' filter is allowed per disjunction.");
  }
}

/** Whether an `==` or `in` filter on `__name__` appears anywhere in the filter. */
function hasKeyEquality(f: Filter | undefined): boolean {
  if (!f) return false;
  if (f.kind === 'composite') return f.filters.some(hasKeyEquality);
  return f.kind === 'field' && f.field.isName && (f.op === 'EQUAL' || f.op === 'IN');
}

function orderHas(orderBy: Order[], text: string): boolean {
  return orderBy.some((o) => o.field.text === text);
}

/**
 * Parses a structured query. `implicit` are fields that order the result after the inequality
 * fields and before `__name__` (sorted, like them), and must exist: an aggregation's sum/avg
 * fields (Google's emulator orders by them, so a limit keeps the documents lowest in them).
 */
export function parseQuery(parent: string, raw: unknown, codec: Codec, implicit: FieldRef[] = []): Query {
  if (!isRecord(raw)) throw invalid('only structured queries are supported');
  const from = raw['from'] ?? [];
  if (!Array.isArray(from) || (from.length === 1 && !isRecord(from[0]))) {
    throw invalid('A query must select exactly one collection (from).');
  }
  if (from.length > 1) throw invalid('StructuredQuery.from cannot have more than one collection selector.');
  // No collection (`from: []`) or collection id "" (the proto default): a query of nothing, which
  // Google's emulator (gcloud 528) answers with no documents; no collection has that id.
  const selector: Record<string, unknown> = from.length === 1 ? (from[0] as Record<string, unknown>) : {};
  const collectionId = selector['collectionId'] ?? '';
  if (typeof collectionId !== 'string') throw invalid('Query requires a valid collectionId.');
  if (collectionId.includes('/'))
    throw invalid(`Collection id "${collectionId}" is invalid because it contains "/".`);
  if (collectionId !== '') validateSegment(collectionId, 'collectionId', true);
  const allDescendants = selector['allDescendants'] === true;
  const filter =
    raw['where'] === undefined || raw['where'] === null ? undefined : parseFilter(raw['where'], codec, 0);
  const orderRaw = raw['orderBy'] ?? [];
  if (!Array.isArray(orderRaw)) throw invalid('orderBy must be an array.');
  const orderBy: Order[] = orderRaw.map((o) => {
    if (!isRecord(o)) throw invalid('Invalid orderBy.');
    const dir = enumName(o['direction'], DIRECTIONS);
    // A number the enum does not name (proto3 enums are open) passes decoding; Google's emulator
    // then refuses it.
    if (o['direction'] !== undefined && dir === undefined) throw invalid('Unrecognized ordering.');
    // An enum name the message does not have is not a valid payload (Google's emulator's words).
    if (typeof dir === 'string' && !(DIRECTIONS as readonly string[]).includes(dir))
      throw invalid("Payload isn't valid for request.");
    return { field: fieldRef(o['field']), desc: dir === 'DESCENDING' };
  });
  const ineq = new Map<string, FieldRef>();
  inequalityFields(filter, ineq);
  checkNegations(filter);
  // Checks and messages as Google's emulator orders and words them (issue 18).
  if (ineq.size > 0 && !ineq.has('__name__') && hasKeyEquality(filter)) {
    throw invalid(
      'Equality on key is not allowed if there are other inequality fields and key does not appear in inequalities.',
    );
  }
  const keyAt = orderBy.findIndex((o) => o.field.isName);
  // A not-in list holding null matches nothing: Google's emulator (gcloud 528) answers no documents
  // without checking where the inequality field is ordered (seed 7 case 176).
  if (
    keyAt >= 0 &&
    !notInNull(filter) &&
    (keyAt < orderBy.length - 1 || [...ineq.keys()].some((k) => !orderHas(orderBy, k)))
  ) {
    throw invalid('order by clause cannot contain more fields after the key');
  }
  // Ordered first by the key descending with no filter but on the key: Google's emulator (gcloud
  // 528) refuses the scan (also for collection groups, aggregations and a GET list's orderBy).
  if (orderBy[0]?.field.isName && orderBy[0].desc && onlyKeyFilters(filter)) {
    throw new FirestoreError(Code.FAILED_PRECONDITION, 'Firestore does not support descending key scans');
  }
  const after = [...new Set(implicit.filter((f) => !orderHas(orderBy, f.text)).map((f) => f.text))].sort();
  if (keyAt >= 0 && after.length > 0) {
    throw invalid(
      `This query requires an index that has fields [${after.join(', ')}] after __name__ and Firestore does not currently support such an index. Please try the query again with additional ordering on those fields.`,
    );
  }
  const seen = new Set<string>();
  for (const o of orderBy) {
    if (seen.has(o.field.text))
      throw invalid(`order by clause cannot contain duplicate fields ${o.field.text}`);
    seen.add(o.field.text);
  }
  const explicitOrders = orderBy.length;
  const lastDesc = orderBy.length > 0 ? orderBy[orderBy.length - 1]!.desc : false;
  // The key is never ordered among the inequality fields: it comes last (Google's emulator).
  for (const text of [...ineq.keys()].sort()) {
    if (!seen.has(text) && text !== '__name__') {
      orderBy.push({ field: ineq.get(text)!, desc: lastDesc });
      seen.add(text);
    }
  }
  for (const text of after) {
    if (!seen.has(text) && !ineq.has(text)) {
      orderBy.push({ field: implicit.find((f) => f.text === text)!, desc: lastDesc });
      seen.add(text);
    }
  }
  if (!seen.has('__name__')) {
    orderBy.push({ field: { path: ['__name__'], text: '__name__', isName: true }, desc: lastDesc });
  }
  const selectRaw = raw['select'];
  let select: FieldRef[] | undefined;
  if (isRecord(selectRaw)) {
    const fields = selectRaw['fields'] ?? [];
    if (!Array.isArray(fields)) throw invalid('select.fields must be an array.');
    select = fields.map(fieldRef);
  }
  const startAt = parseCursor(raw['startAt'], codec);
  const endAt = parseCursor(raw['endAt'], codec);
  // Cursor values position the query's stated orders only (Google's emulator's checks and words).
  for (const c of [startAt, endAt]) {
    if (!c) continue;
    if (c.values.length > explicitOrders) throw invalid('Cursor has too many values.');
    c.values.forEach((v, i) => {
      if (orderBy[i]!.field.isName && !('referenceValue' in v))
        throw invalid('Cursor __key__ value is not a document reference.');
    });
  }
  return {
    parent,
    collectionId,
    allDescendants,
    filter,
    orderBy,
    explicitOrders,
    startAt,
    endAt,
    offset: parseInt32(raw['offset'], 'offset') ?? 0,
    limit: parseInt32(raw['limit'], 'limit'),
    select,
  };
}

/** The value a query sees for a field; `__name__` is the document's reference. */
function fieldOf(doc: StoredDoc, root: string, f: FieldRef): Value | undefined {
  if (f.isName) return { referenceValue: `${root}/${doc.path}` };
  return getField(doc.fields, f.path);
}

function matchesField(v: Value | undefined, op: FieldOp, target: Value): boolean {
  if (v === undefined) return false;
  switch (op) {
    case 'EQUAL':
      return valuesEqual(v, target);
    case 'NOT_EQUAL':
      // Documents where the field is null are excluded (firebase-js-sdk FieldFilter.matches).
      return !('nullValue' in v) && !valuesEqual(v, target) && !(isNaNValue(v) && isNaNValue(target));
    case 'ARRAY_CONTAINS':
      return 'arrayValue' in v && arrayContains(v.arrayValue.values, target);
    // `in` and `array-contains-any` never match null, even when the list holds null (like NaN).
    case 'ARRAY_CONTAINS_ANY': {
      if (!('arrayValue' in v) || !('arrayValue' in target)) return false;
      const want = target.arrayValue.values ?? [];
      return (v.arrayValue.values ?? []).some((x) => !('nullValue' in x) && arrayContains(want, x));
    }
    case 'IN':
      return !('nullValue' in v) && 'arrayValue' in target && arrayContains(target.arrayValue.values, v);
    case 'NOT_IN': {
      if (!('arrayValue' in target)) return false;
      const list = target.arrayValue.values ?? [];
      if (list.some((x) => 'nullValue' in x)) return false;
      return !('nullValue' in v) && !arrayContains(list, v) && !(isNaNValue(v) && list.some(isNaNValue));
    }
    default: {
      // Range filters only match values of the same type class (numbers mix ints and doubles).
      if (typeOrder(v) !== typeOrder(target) || isNaNValue(v) || isNaNValue(target)) return false;
      const c = compareValues(v, target);
      if (op === 'LESS_THAN') return c < 0;
      if (op === 'LESS_THAN_OR_EQUAL') return c <= 0;
      if (op === 'GREATER_THAN') return c > 0;
      return c >= 0;
    }
  }
}

export function matchesFilter(doc: StoredDoc, root: string, f: Filter): boolean {
  if (f.kind === 'composite') {
    return f.op === 'AND'
      ? f.filters.every((x) => matchesFilter(doc, root, x))
      : f.filters.some((x) => matchesFilter(doc, root, x));
  }
  const v = fieldOf(doc, root, f.field);
  if (f.kind === 'unary') {
    if (v === undefined) return false;
    switch (f.op) {
      case 'IS_NULL':
        return 'nullValue' in v;
      case 'IS_NOT_NULL':
        return !('nullValue' in v);
      case 'IS_NAN':
        return isNaNValue(v);
      default:
        return !isNaNValue(v) && !('nullValue' in v);
    }
  }
  return matchesField(v, f.op, f.value);
}

function compareByOrder(a: StoredDoc, b: StoredDoc, orderBy: Order[]): number {
  for (const o of orderBy) {
    const c = o.field.isName
      ? compareNames(a.path, b.path)
      : compareValues(getField(a.fields, o.field.path)!, getField(b.fields, o.field.path)!);
    if (c !== 0) return o.desc ? -c : c;
  }
  return 0;
}

/** Position of a document relative to a cursor: <0 before, 0 at, >0 after. */
function compareToCursor(doc: StoredDoc, root: string, q: Query, cursor: Cursor): number {
  for (let i = 0; i < cursor.values.length; i++) {
    const o = q.orderBy[i]!;
    const cv = cursor.values[i]!;
    let c: number;
    if (o.field.isName) {
      if (!('referenceValue' in cv)) throw invalid('Cursor value for __name__ must be a reference.');
      const ref = cv.referenceValue;
      const full = `${root}/${doc.path}`;
      c = compareNames(full, ref.includes('/documents') ? ref : `${root}/${ref}`);
    } else c = compareValues(getField(doc.fields, o.field.path)!, cv);
    if (c !== 0) return o.desc ? -c : c;
  }
  return 0;
}

export function isInScope(q: Query, path: string): boolean {
  const i = path.lastIndexOf('/');
  const coll = path.slice(0, i);
  const ci = coll.lastIndexOf('/');
  const id = coll.slice(ci + 1);
  if (id !== q.collectionId) return false;
  const parent = ci < 0 ? '' : coll.slice(0, ci);
  if (!q.allDescendants) return parent === q.parent;
  return q.parent === '' || parent === q.parent || parent.startsWith(`${q.parent}/`);
}

/** Whether a document passes the query's filters and has every orderBy field. */
export function matchesQuery(q: Query, root: string, doc: StoredDoc): boolean {
  if (!isInScope(q, doc.path)) return false;
  for (const o of q.orderBy)
    if (!o.field.isName && getField(doc.fields, o.field.path) === undefined) return false;
  return !q.filter || matchesFilter(doc, root, q.filter);
}

/** An equality filter on a top-level field that an index can answer, if the filter has one. */
function indexableEquality(f: Filter | undefined): { field: string; key: string } | undefined {
  if (!f) return undefined;
  if (f.kind === 'field') {
    if (f.op !== 'EQUAL' || f.field.isName || f.field.path.length !== 1) return undefined;
    const key = indexKey(f.value);
    return key === undefined ? undefined : { field: f.field.path[0]!, key };
  }
  if (f.kind === 'composite' && f.op === 'AND') {
    for (const x of f.filters) {
      const r = indexableEquality(x);
      if (r) return r;
    }
  }
  return undefined;
}

/** Candidate documents and whether they are already in name order. */
function matchesInCollection(q: Query, root: string, doc: StoredDoc): boolean {
  for (const o of q.orderBy)
    if (!o.field.isName && getField(doc.fields, o.field.path) === undefined) return false;
  return !q.filter || matchesFilter(doc, root, q.filter);
}

function candidates(q: Query, store: Store): { docs: StoredDoc[]; ordered: boolean } {
  if (!q.allDescendants) {
    const path = q.parent === '' ? q.collectionId : `${q.parent}/${q.collectionId}`;
    const eq = indexableEquality(q.filter);
    const coll = store.collections.get(path);
    if (!coll) return { docs: [], ordered: true };
    if (eq) {
      const ids = coll.lookup(eq.field, eq.key);
      const docs: StoredDoc[] = [];
      if (ids) for (const id of ids) docs.push(coll.docs.get(id)!);
      return { docs, ordered: false };
    }
    return { docs: coll.ordered(), ordered: true };
  }
  const out: StoredDoc[] = [];
  for (const c of store.groupCollections(q.parent, q.collectionId))
    for (const d of c.docs.values()) out.push(d);
  return { docs: out, ordered: false };
}

/** Runs a query: filter, order, cursors, offset, limit. `root` is `projects/p/databases/d/documents`. */
export function runQuery(q: Query, store: Store, root: string): StoredDoc[] {
  const matched: StoredDoc[] = [];
  const c = candidates(q, store);
  // Candidates of a single collection are in scope by construction.
  const test = q.allDescendants ? matchesQuery : matchesInCollection;
  for (const d of c.docs) if (test(q, root, d)) matched.push(d);
  const onlyName = q.orderBy.length === 1 && !q.orderBy[0]!.desc;
  if (!(onlyName && c.ordered)) matched.sort((a, b) => compareByOrder(a, b, q.orderBy));
  let start = 0;
  let end = matched.length;
  if (q.startAt) {
    const c = q.startAt;
    while (start < end) {
      const pos = compareToCursor(matched[start]!, root, q, c);
      if (pos > 0 || (pos === 0 && c.before)) break;
      start++;
    }
  }
  if (q.endAt) {
    const c = q.endAt;
    while (end > start) {
      const pos = compareToCursor(matched[end - 1]!, root, q, c);
      if (pos < 0 || (pos === 0 && !c.before)) break;
      end--;
    }
  }
  start += q.offset;
  if (q.limit !== undefined) end = Math.min(end, start + q.limit);
  return start >= end ? [] : matched.slice(start, end);
}

/** Applies a field mask (projection) to a document's fields. */
export function project(fields: Fields, select: FieldRef[] | undefined): Fields {
  if (!select) return fields;
  let out: Fields = {};
  for (const f of select) {
    if (f.isName) continue;
    const v = getField(fields, f.path);
    if (v === undefined) continue;
    out = setNested(out, f.path, v);
  }
  return out;
}

function setNested(fields: Fields, path: string[], v: Value): Fields {
  const [head, ...rest] = path;
  if (head === undefined) return fields;
  if (rest.length === 0) return { ...fields, [head]: v };
  const cur = fields[head];
  const inner = cur && 'mapValue' in cur ? (cur.mapValue.fields ?? {}) : {};
  return { ...fields, [head]: { mapValue: { fields: setNested(inner, rest, v) } } };
}
