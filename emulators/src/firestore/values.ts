/**
 * Firestore values in their REST/JSON shape (see rules/api.ts `FirestoreValue`), kept in one
 * canonical form so that comparisons are cheap: timestamps are RFC 3339 UTC strings with exactly
 * nine fractional digits (so string order is time order), integers are decimal strings, null is
 * `null`, and non-finite doubles are the strings 'NaN' / 'Infinity' / '-Infinity'.
 *
 * Ordering follows https://firebase.google.com/docs/firestore/manage-data/data-types#value_type_ordering
 * and the SDK's `typeOrder`/`valueCompare` (node_modules/@firebase/firestore/dist/lite/common-*.node.mjs).
 */
import type { FirestoreValue } from '../rules/api.js';

export type Value = FirestoreValue;
export type Fields = Record<string, Value>;

export enum TypeOrder {
  Null = 0,
  Boolean = 1,
  Number = 2,
  Timestamp = 3,
  String = 5,
  Bytes = 6,
  Reference = 7,
  GeoPoint = 8,
  Array = 9,
  Vector = 10,
  Map = 11,
}

export function isVector(v: Value): boolean {
  if (!('mapValue' in v)) return false;
  const t = v.mapValue.fields?.['__type__'];
  return t !== undefined && 'stringValue' in t && t.stringValue === '__vector__';
}

export function typeOrder(v: Value): TypeOrder {
  if ('nullValue' in v) return TypeOrder.Null;
  if ('booleanValue' in v) return TypeOrder.Boolean;
  if ('integerValue' in v || 'doubleValue' in v) return TypeOrder.Number;
  if ('timestampValue' in v) return TypeOrder.Timestamp;
  if ('stringValue' in v) return TypeOrder.String;
  if ('bytesValue' in v) return TypeOrder.Bytes;
  if ('referenceValue' in v) return TypeOrder.Reference;
  if ('geoPointValue' in v) return TypeOrder.GeoPoint;
  if ('arrayValue' in v) return TypeOrder.Array;
  return isVector(v) ? TypeOrder.Vector : TypeOrder.Map;
}

/** Numeric value of an integer or double; NaN for 'NaN'. */
export function toNumber(v: Value): number {
  if ('integerValue' in v) return Number(v.integerValue);
  if ('doubleValue' in v) return typeof v.doubleValue === 'number' ? v.doubleValue : Number(v.doubleValue);
  return Number.NaN;
}

export function isNaNValue(v: Value): boolean {
  return 'doubleValue' in v && (v.doubleValue === 'NaN' || Number.isNaN(v.doubleValue));
}

function cmp(a: number | string, b: number | string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Compares strings by UTF-8 byte order (= code point order), as the backend does. */
export function compareUtf8(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    // Surrogates (0xD800–0xDFFF) encode code points above 0xFFFF, which sort after every BMP char.
    const xs = x >= 0xd800 && x <= 0xdfff;
    const ys = y >= 0xd800 && y <= 0xdfff;
    if (xs === ys) return x < y ? -1 : 1;
    return xs ? 1 : -1;
  }
  return a.length - b.length < 0 ? -1 : a.length === b.length ? 0 : 1;
}

function compareIntegers(a: string, b: string): number {
  if (a.length < 16 && b.length < 16) return cmp(Number(a), Number(b));
  const x = BigInt(a);
  const y = BigInt(b);
  return x < y ? -1 : x > y ? 1 : 0;
}

function compareNumbers(a: Value, b: Value): number {
  if ('integerValue' in a && 'integerValue' in b) return compareIntegers(a.integerValue, b.integerValue);
  const x = toNumber(a);
  const y = toNumber(b);
  // NaN sorts before every other number (and equals itself for ordering purposes).
  if (Number.isNaN(x)) return Number.isNaN(y) ? 0 : -1;
  if (Number.isNaN(y)) return 1;
  return cmp(x, y);
}

const NUMERIC_ID = /^__id(-?\d+)__$/;

/** The integer of a numeric id (`__id<n>__`), if the segment is one. */
function numericId(s: string): bigint | undefined {
  // Cheap test first: almost no id starts with `__id`.
  if (s.charCodeAt(0) !== 95 || !s.startsWith('__id')) return undefined;
  const m = NUMERIC_ID.exec(s);
  return m ? BigInt(m[1]!) : undefined;
}

/**
 * Compares two path segments (document or collection ids). Ids of the form `__id<integer>__` are
 * numeric ids: they sort before every other id, by their integer (the service's order; the SDK's
 * BasePath.compareSegments, firebase-js-sdk src/model/path.ts, mirrors it).
 */
export function compareSegments(a: string, b: string): number {
  const x = numericId(a);
  const y = numericId(b);
  if (x === undefined && y === undefined) return compareUtf8(a, b);
  if (x === undefined) return 1;
  if (y === undefined) return -1;
  return x < y ? -1 : x > y ? 1 : 0;
}

/** Compares two document or reference names segment by segment. */
export function compareNames(a: string, b: string): number {
  if (a === b) return 0;
  const as = a.split('/');
  const bs = b.split('/');
  const n = Math.min(as.length, bs.length);
  for (let i = 0; i < n; i++) {
    const c = compareSegments(as[i]!, bs[i]!);
    if (c !== 0) return c;
  }
  return cmp(as.length, bs.length);
}

function compareBytes(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'base64'), Buffer.from(b, 'base64'));
}

function compareArrays(a: Value[], b: Value[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const c = compareValues(a[i]!, b[i]!);
    if (c !== 0) return c;
  }
  return cmp(a.length, b.length);
}

function compareMaps(a: Fields, b: Fields): number {
  const ak = Object.keys(a).sort(compareUtf8);
  const bk = Object.keys(b).sort(compareUtf8);
  const n = Math.min(ak.length, bk.length);
  for (let i = 0; i < n; i++) {
    const c = compareUtf8(ak[i]!, bk[i]!);
    if (c !== 0) return c;
    const d = compareValues(a[ak[i]!]!, b[bk[i]!]!);
    if (d !== 0) return d;
  }
  return cmp(ak.length, bk.length);
}

function vectorOf(v: Value): Value[] {
  if (!('mapValue' in v)) return [];
  const inner = v.mapValue.fields?.['value'];
  return inner && 'arrayValue' in inner ? (inner.arrayValue.values ?? []) : [];
}

/** Total order over all Firestore values (cross-type order first). */
export function compareValues(a: Value, b: Value): number {
  if ('integerValue' in a && 'integerValue' in b) return compareIntegers(a.integerValue, b.integerValue);
  if ('stringValue' in a && 'stringValue' in b) return compareUtf8(a.stringValue, b.stringValue);
  const ta = typeOrder(a);
  const tb = typeOrder(b);
  if (ta !== tb) return ta < tb ? -1 : 1;
  switch (ta) {
    case TypeOrder.Null:
      return 0;
    case TypeOrder.Boolean:
      return cmp(
        Number((a as { booleanValue: boolean }).booleanValue),
        Number((b as { booleanValue: boolean }).booleanValue),
      );
    case TypeOrder.Number:
      return compareNumbers(a, b);
    case TypeOrder.Timestamp:
      return cmp(
        (a as { timestampValue: string }).timestampValue,
        (b as { timestampValue: string }).timestampValue,
      );
    case TypeOrder.String:
      return compareUtf8(
        (a as { stringValue: string }).stringValue,
        (b as { stringValue: string }).stringValue,
      );
    case TypeOrder.Bytes:
      return compareBytes((a as { bytesValue: string }).bytesValue, (b as { bytesValue: string }).bytesValue);
    case TypeOrder.Reference:
      return compareNames(
        (a as { referenceValue: string }).referenceValue,
        (b as { referenceValue: string }).referenceValue,
      );
    case TypeOrder.GeoPoint: {
      const x = (a as { geoPointValue: { latitude: number; longitude: number } }).geoPointValue;
      const y = (b as { geoPointValue: { latitude: number; longitude: number } }).geoPointValue;
      return cmp(x.latitude, y.latitude) || cmp(x.longitude, y.longitude);
    }
    case TypeOrder.Array:
      return compareArrays(
        (a as { arrayValue: { values?: Value[] } }).arrayValue.values ?? [],
        (b as { arrayValue: { values?: Value[] } }).arrayValue.values ?? [],
      );
    case TypeOrder.Vector: {
      const x = vectorOf(a);
      const y = vectorOf(b);
      return cmp(x.length, y.length) || compareArrays(x, y);
    }
    default:
      return compareMaps(
        (a as { mapValue: { fields?: Fields } }).mapValue.fields ?? {},
        (b as { mapValue: { fields?: Fields } }).mapValue.fields ?? {},
      );
  }
}

/** Query equality: like compareValues === 0, except NaN never equals anything. */
export function valuesEqual(a: Value, b: Value): boolean {
  // Fast paths for the common same-type scalars (query filters run this per document).
  if ('stringValue' in a) return 'stringValue' in b && a.stringValue === b.stringValue;
  if ('integerValue' in a && 'integerValue' in b) return a.integerValue === b.integerValue;
  if ('booleanValue' in a) return 'booleanValue' in b && a.booleanValue === b.booleanValue;
  if (isNaNValue(a) || isNaNValue(b)) return false;
  return compareValues(a, b) === 0;
}

export function arrayContains(values: Value[] | undefined, v: Value): boolean {
  if (!values) return false;
  for (const x of values) if (valuesEqual(x, v)) return true;
  return false;
}

export const NULL: Value = { nullValue: null };

/** Reads a nested field by path segments; undefined when absent. */
export function getField(fields: Fields, path: readonly string[]): Value | undefined {
  let cur: Fields | undefined = fields;
  for (let i = 0; i < path.length; i++) {
    if (!cur) return undefined;
    const v: Value | undefined = cur[path[i]!];
    if (v === undefined) return undefined;
    if (i === path.length - 1) return v;
    cur = 'mapValue' in v ? (v.mapValue.fields ?? {}) : undefined;
  }
  return undefined;
}

/** Sets (or, with value undefined, deletes) a nested field, copying maps on the way down. */
export function setField(fields: Fields, path: readonly string[], value: Value | undefined): Fields {
  const [head, ...rest] = path;
  if (head === undefined) return fields;
  const out: Fields = { ...fields };
  if (rest.length === 0) {
    if (value === undefined) delete out[head];
    else out[head] = value;
    return out;
  }
  const cur = out[head];
  const inner = cur && 'mapValue' in cur ? (cur.mapValue.fields ?? {}) : undefined;
  if (inner === undefined && value === undefined) return out;
  out[head] = { mapValue: { fields: setField(inner ?? {}, rest, value) } };
  return out;
}

/** Estimated storage size per https://firebase.google.com/docs/firestore/storage-size */
export function valueSize(v: Value): number {
  if ('nullValue' in v || 'booleanValue' in v) return 1;
  if ('integerValue' in v || 'doubleValue' in v || 'timestampValue' in v) return 8;
  if ('stringValue' in v) return Buffer.byteLength(v.stringValue, 'utf8') + 1;
  if ('bytesValue' in v) return Math.floor((v.bytesValue.length * 3) / 4);
  if ('referenceValue' in v) return nameSize(v.referenceValue);
  if ('geoPointValue' in v) return 16;
  if ('arrayValue' in v) {
    let n = 0;
    for (const x of v.arrayValue.values ?? []) n += valueSize(x);
    return n;
  }
  return fieldsSize(v.mapValue.fields ?? {});
}

export function fieldsSize(fields: Fields): number {
  let n = 0;
  for (const k in fields) n += Buffer.byteLength(k, 'utf8') + 1 + valueSize(fields[k]!);
  return n;
}

/** Size of a document name: each segment's length + 1, plus 16 (path after `documents/`). */
export function nameSize(fullName: string): number {
  const i = fullName.indexOf('/documents/');
  const rel = i >= 0 ? fullName.slice(i + 11) : fullName;
  let n = 16;
  for (const s of rel.split('/')) n += Buffer.byteLength(s, 'utf8') + 1;
  return n;
}

/**
 * Key under which a scalar value is stored in an equality index; values that are equal for
 * queries share a key (1 and 1.0 both map to `n:1`). Undefined for values that are not indexed.
 */
export function indexKey(v: Value): string | undefined {
  if ('stringValue' in v) return `s:${v.stringValue}`;
  if ('integerValue' in v) {
    const n = Number(v.integerValue);
    return Number.isSafeInteger(n) ? `n:${n}` : `i:${v.integerValue}`;
  }
  if ('doubleValue' in v) return typeof v.doubleValue === 'number' ? `n:${v.doubleValue}` : undefined;
  if ('booleanValue' in v) return v.booleanValue ? 'b:1' : 'b:0';
  if ('nullValue' in v) return 'z';
  if ('timestampValue' in v) return `t:${v.timestampValue}`;
  if ('referenceValue' in v) return `r:${v.referenceValue}`;
  return undefined;
}

/**
 * Whether two documents' fields are the same data, types included (1 and 1.0 differ; NaN equals
 * NaN): the test for a write that changes nothing.
 */
export function identicalFields(a: Fields, b: Fields): boolean {
  if (a === b) return true;
  let n = 0;
  for (const k in a) {
    const y = b[k];
    if (y === undefined || !identicalValues(a[k]!, y)) return false;
    n++;
  }
  for (const _ in b) n--;
  return n === 0;
}

function identicalValues(a: Value, b: Value): boolean {
  if (a === b) return true;
  if ('mapValue' in a)
    return 'mapValue' in b && identicalFields(a.mapValue.fields ?? {}, b.mapValue.fields ?? {});
  if ('arrayValue' in a) {
    if (!('arrayValue' in b)) return false;
    const x = a.arrayValue.values ?? [];
    const y = b.arrayValue.values ?? [];
    return x.length === y.length && x.every((v, i) => identicalValues(v, y[i]!));
  }
  if ('geoPointValue' in a) {
    return (
      'geoPointValue' in b &&
      a.geoPointValue.latitude === b.geoPointValue.latitude &&
      a.geoPointValue.longitude === b.geoPointValue.longitude
    );
  }
  if ('doubleValue' in a) {
    if (!('doubleValue' in b)) return false;
    return isNaNValue(a) ? isNaNValue(b) : Object.is(a.doubleValue, b.doubleValue);
  }
  const k = Object.keys(a)[0]!;
  return k in b && (a as Record<string, unknown>)[k] === (b as Record<string, unknown>)[k];
}
