/**
 * Writes: parsing `google.firestore.v1.Write` (update with mask, delete, verify, legacy transform)
 * and applying it to a document. Precondition and transform semantics follow
 * google/firestore/v1/write.proto and common.proto (Precondition) comments.
 */
import { type Codec, enumName, isRecord } from './codec.js';
import { Code, FirestoreError, invalid } from './errors.js';
import { jsonCodec } from './json-codec.js';
import {
  documentName,
  formatFieldPath,
  parseDocumentName,
  parseFieldPath,
  type ResourcePath,
} from './paths.js';
import type { StoredDoc } from './store.js';
import {
  compareValues,
  type Fields,
  fieldsSize,
  getField,
  isNaNValue,
  nameSize,
  NULL,
  setField,
  toNumber,
  type Value,
  valuesEqual,
} from './values.js';

export const MAX_DOCUMENT_SIZE = 1_048_576;

export type TransformKind = 'serverTimestamp' | 'increment' | 'maximum' | 'minimum' | 'append' | 'remove';

export interface FieldTransform {
  path: string[];
  kind: TransformKind;
  value?: Value;
  values?: Value[];
}

export interface Precondition {
  exists?: boolean;
  updateTime?: string;
}

export interface WriteOp {
  kind: 'update' | 'delete' | 'verify';
  /** Full document name. */
  name: string;
  resource: ResourcePath;
  /** Path below `documents/`. */
  path: string;
  fields?: Fields;
  mask?: string[][];
  transforms: FieldTransform[];
  precondition?: Precondition;
}

function validateFieldNames(fields: Fields, depth: number, top?: string): void {
  // Production's limit of 20 levels of maps (Firestore quotas); Google's emulator's words.
  if (depth > 20) throw invalid(`Property ${top ?? ''} contains an invalid nested entity.`);
  for (const k in fields) {
    if (k === '') throw invalid('The property.name is the empty string.');
    // Production's limit (Firestore quotas: field name at most 1,500 bytes); Google's emulator's words.
    if (Buffer.byteLength(k, 'utf8') > 1500) throw invalid('The property.name is longer than 1500 bytes.');
    const v = fields[k]!;
    // Reserved at any depth (Firestore docs, Usage and limits: field names must not match
    // __.*__); Google's emulator words the nested case differently. A vector value is the map
    // {__type__: "__vector__", value: [...]} (the SDKs' encoding), which both emulators accept.
    const vectorType = depth > 0 && k === '__type__' && 'stringValue' in v && v.stringValue === '__vector__';
    if (k.length > 4 && k.startsWith('__') && k.endsWith('__') && !vectorType) {
      throw invalid(depth === 0 ? `field name ${k} is reserved` : `field name '${k}' is reserved.`);
    }
    if ('mapValue' in v && v.mapValue.fields) validateFieldNames(v.mapValue.fields, depth + 1, top ?? k);
    else if ('arrayValue' in v) {
      for (const x of v.arrayValue.values ?? []) {
        if ('arrayValue' in x) throw invalid('Cannot convert an array value in an array value.');
        if ('mapValue' in x && x.mapValue.fields) validateFieldNames(x.mapValue.fields, depth + 1, top ?? k);
      }
    }
  }
}

const SERVER_VALUES = ['SERVER_VALUE_UNSPECIFIED', 'REQUEST_TIME'] as const;

const WRITE_KEYS = [
  'update',
  'delete',
  'verify',
  'transform',
  'updateMask',
  'updateTransforms',
  'currentDocument',
];
const TRANSFORMATIONS = [
  'setToServerValue',
  'increment',
  'maximum',
  'minimum',
  'appendMissingElements',
  'removeAllFromArray',
];

/**
 * A REST body (proto3 JSON) with a member the message does not have is refused, in Google's
 * emulator's words (production's front end refuses it too); over gRPC the decoder has dropped
 * unknown fields already.
 */
function onlyKnown(raw: Record<string, unknown>, keys: readonly string[], codec: Codec): void {
  if (codec !== jsonCodec) return;
  for (const k of Object.keys(raw)) if (!keys.includes(k)) throw invalid("Payload isn't valid for request.");
}

function parseTransform(raw: unknown, codec: Codec): FieldTransform {
  if (!isRecord(raw)) throw invalid('Field transform must be an object.');
  onlyKnown(raw, ['fieldPath', ...TRANSFORMATIONS], codec);
  const has = (k: string) => raw[k] !== undefined && raw[k] !== null;
  // transform_type is a oneof: two of them is not a valid payload (Google's emulator).
  if (TRANSFORMATIONS.filter(has).length > 1) throw invalid("Payload isn't valid for request.");
  const path = parseFieldPath(raw['fieldPath']);
  // A transform would write a field named `__name__`, a reserved name (Firestore docs, Usage and
  // limits); Google's emulator writes it as `__key__` instead.
  if (path.some((seg) => seg === '__name__')) throw invalid('Invalid reserved name in field path __name__');
  if (has('setToServerValue')) {
    if (enumName(raw['setToServerValue'], SERVER_VALUES) !== 'REQUEST_TIME') {
      throw invalid('setToServerValue must be REQUEST_TIME.');
    }
    return { path, kind: 'serverTimestamp' };
  }
  for (const kind of ['increment', 'maximum', 'minimum'] as const) {
    if (has(kind)) {
      const value = codec.value(raw[kind]);
      if (!('integerValue' in value) && !('doubleValue' in value))
        throw invalid('Input must be int64 or double.');
      return { path, kind, value };
    }
  }
  for (const [key, kind] of [
    ['appendMissingElements', 'append'],
    ['removeAllFromArray', 'remove'],
  ] as const) {
    if (has(key)) {
      const arr = raw[key];
      const values = isRecord(arr) ? (arr['values'] ?? []) : undefined;
      if (!Array.isArray(values)) throw invalid(`${key} requires an array value.`);
      return { path, kind, values: values.map((v) => codec.value(v)) };
    }
  }
  throw invalid('Operation type must be specified for field transformation.');
}

function parsePrecondition(raw: unknown, codec: Codec): Precondition | undefined {
  if (raw === undefined || raw === null) return undefined;
  if (!isRecord(raw)) throw invalid('currentDocument must be an object.');
  if (raw['updateTime'] !== undefined && raw['updateTime'] !== null) {
    return { updateTime: codec.timestamp(raw['updateTime']) };
  }
  if (raw['exists'] !== undefined && raw['exists'] !== null) {
    if (typeof raw['exists'] !== 'boolean') throw invalid('currentDocument.exists must be a boolean.');
    return { exists: raw['exists'] };
  }
  return undefined;
}

function docOp(name: unknown): { name: string; resource: ResourcePath; path: string } {
  const resource = parseDocumentName(name);
  return { name: documentName(resource.db, resource.segments), resource, path: resource.segments.join('/') };
}

export function parseWrite(raw: unknown, codec: Codec): WriteOp {
  if (!isRecord(raw)) throw invalid('Write must be an object.');
  onlyKnown(raw, WRITE_KEYS, codec);
  const precondition = parsePrecondition(raw['currentDocument'], codec);
  const transformsRaw = raw['updateTransforms'] ?? [];
  if (!Array.isArray(transformsRaw)) throw invalid('updateTransforms must be an array.');
  const transforms = transformsRaw.map((t) => parseTransform(t, codec));
  const present = (k: string) => raw[k] !== undefined && raw[k] !== null && raw[k] !== '';
  if (present('update')) {
    const u = raw['update'];
    if (!isRecord(u)) throw invalid('update must be a document.');
    const fields = codec.fields(u['fields'] ?? {});
    validateFieldNames(fields, 0);
    let mask: string[][] | undefined;
    const m = raw['updateMask'];
    if (m !== undefined && m !== null) {
      const paths = isRecord(m) ? (m['fieldPaths'] ?? []) : undefined;
      if (!Array.isArray(paths)) throw invalid('updateMask.fieldPaths must be an array.');
      mask = paths.map(parseFieldPath);
    }
    return { kind: 'update', ...docOp(u['name']), fields, mask, transforms, precondition };
  }
  if (present('delete')) {
    if (transforms.length) throw invalid('a delete must not specify a update transform.');
    return { kind: 'delete', ...docOp(raw['delete']), transforms, precondition };
  }
  if (present('verify')) {
    // Google's emulator: "a verify must contain a precondition".
    if (!precondition) throw invalid('a verify must contain a precondition');
    return { kind: 'verify', ...docOp(raw['verify']), transforms, precondition };
  }
  if (present('transform')) {
    // Legacy DocumentTransform write: transforms only, the document must exist? No: it upserts.
    const t = raw['transform'];
    if (!isRecord(t)) throw invalid('transform must be an object.');
    const list = t['fieldTransforms'] ?? [];
    if (!Array.isArray(list)) throw invalid('fieldTransforms must be an array.');
    return {
      kind: 'update',
      ...docOp(t['document']),
      fields: {},
      mask: [],
      transforms: list.map((x) => parseTransform(x, codec)),
      precondition,
    };
  }
  throw invalid('empty write operation');
}

export function checkPrecondition(op: WriteOp, current: StoredDoc | undefined): void {
  const p = op.precondition;
  if (!p) return;
  if (p.exists === true && !current)
    throw new FirestoreError(Code.NOT_FOUND, `No document to update: ${op.name}`);
  if (p.exists === false && current)
    throw new FirestoreError(Code.ALREADY_EXISTS, `Document already exists: ${op.name}`);
  if (p.updateTime !== undefined && (!current || current.updateTime !== p.updateTime)) {
    throw new FirestoreError(
      Code.FAILED_PRECONDITION,
      `The document ${op.name} was updated after it was read (update time ${current?.updateTime ?? 'none'}, expected ${p.updateTime}).`,
    );
  }
}

const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);

function isNumber(v: Value | undefined): v is Value {
  return v !== undefined && ('integerValue' in v || 'doubleValue' in v);
}

function doubleValue(n: number): Value {
  if (Number.isNaN(n)) return { doubleValue: 'NaN' };
  if (n === Number.POSITIVE_INFINITY) return { doubleValue: 'Infinity' };
  if (n === Number.NEGATIVE_INFINITY) return { doubleValue: '-Infinity' };
  return { doubleValue: n };
}

function increment(cur: Value | undefined, by: Value): Value {
  if (!isNumber(cur)) return by;
  if ('integerValue' in cur && 'integerValue' in by) {
    let r = BigInt(cur.integerValue) + BigInt(by.integerValue);
    // Integer overflow saturates (write.proto: "follows IEEE 754 semantics"; ints clamp).
    if (r > INT64_MAX) r = INT64_MAX;
    if (r < INT64_MIN) r = INT64_MIN;
    return { integerValue: r.toString() };
  }
  return doubleValue(toNumber(cur) + toNumber(by));
}

function applyTransform(
  fields: Fields,
  t: FieldTransform,
  commitTime: string,
): { fields: Fields; result: Value } {
  const cur = getField(fields, t.path);
  let next: Value;
  let result: Value;
  switch (t.kind) {
    case 'serverTimestamp':
      next = result = { timestampValue: commitTime };
      break;
    case 'increment':
      next = result = increment(cur, t.value!);
      break;
    case 'maximum':
    case 'minimum': {
      // write.proto: "The maximum [minimum] of any numeric value x and NaN is NaN."
      if (!isNumber(cur) || isNaNValue(t.value!)) next = t.value!;
      else if (isNaNValue(cur)) next = cur;
      else {
        const c = compareValues(t.value!, cur);
        next = (t.kind === 'maximum' ? c > 0 : c < 0) ? t.value! : cur;
      }
      result = next;
      break;
    }
    case 'append': {
      const arr = cur && 'arrayValue' in cur ? [...(cur.arrayValue.values ?? [])] : [];
      for (const v of t.values ?? []) if (!arr.some((x) => valuesEqual(x, v))) arr.push(v);
      next = { arrayValue: { values: arr } };
      result = NULL;
      break;
    }
    default: {
      const arr = cur && 'arrayValue' in cur ? (cur.arrayValue.values ?? []) : [];
      const drop = t.values ?? [];
      next = { arrayValue: { values: arr.filter((x) => !drop.some((d) => valuesEqual(x, d))) } };
      result = NULL;
    }
  }
  return { fields: setField(fields, t.path, next), result };
}

export interface AppliedWrite {
  /** Fields after the write; null when the document is deleted, undefined for verify. */
  fields: Fields | null | undefined;
  transformResults: Value[];
}

/** Computes the document after `op` (preconditions must be checked by the caller). */
export function applyWrite(op: WriteOp, current: Fields | undefined, commitTime: string): AppliedWrite {
  if (op.kind === 'verify') return { fields: undefined, transformResults: [] };
  if (op.kind === 'delete') return { fields: null, transformResults: [] };
  let fields: Fields;
  if (op.mask) {
    fields = current ?? {};
    for (const path of op.mask) fields = setField(fields, path, getField(op.fields ?? {}, path));
  } else fields = op.fields ?? {};
  const transformResults: Value[] = [];
  for (const t of op.transforms) {
    const r = applyTransform(fields, t, commitTime);
    fields = r.fields;
    transformResults.push(r.result);
  }
  const size = nameSize(op.name) + fieldsSize(fields) + 32;
  if (size > MAX_DOCUMENT_SIZE) {
    throw invalid(
      `Document '${op.name}' cannot be written because its size (${size} bytes) exceeds the maximum allowed size of ${MAX_DOCUMENT_SIZE} bytes.`,
    );
  }
  return { fields, transformResults };
}

export function describeMask(op: WriteOp): string[] {
  return (op.mask ?? []).map(formatFieldPath);
}
