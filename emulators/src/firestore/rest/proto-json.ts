/**
 * Strict proto3-JSON reading of REST bodies, driven by the google.firestore.v1 descriptors
 * (../protos.ts): a member the message does not have, two members of one oneof, a value of the
 * wrong JSON type or a message nested past the recursion limit is not a valid payload. Google's
 * emulator answers all of these 400 INVALID_ARGUMENT "Payload isn't valid for request." (its JSON
 * layer; production's front end says 'Invalid JSON payload received. Unknown name "…"' and the
 * like); over gRPC the protobuf decoder drops unknown fields instead.
 *
 * The rules are those of protobuf's JSON mapping as Google's emulator applies them (measured with
 * gcloud 528): a member may be named by its JSON (lowerCamel) or its proto (snake_case) name;
 * `null` leaves a field unset (a repeated field empty) except `Value.null_value`, but a `null`
 * member of a oneof whose other member came first is still a conflict; repeated elements and map
 * values may not be null; strings accept JSON numbers and booleans; bools accept "true"/"false";
 * integers accept numeric strings with an integral value; enums accept names and numbers (open
 * enums any number); bytes must be base64 (or base64url); timestamps RFC 3339 strings; wrappers
 * (Int32Value, …) the bare scalar.
 *
 * The result is the body in canonical form (JSON names, nulls dropped, strings, booleans and
 * numbers where the schema has them), which the rest of the emulator reads as before.
 */
import type { Enum, Field, MapField, Type } from 'protobufjs';
import { isRecord } from '../codec.js';
import { invalid } from '../errors.js';
import { firestoreProtos } from '../protos.js';
import { parseTimestamp } from '../timestamps.js';

const BAD = "Payload isn't valid for request.";
/** Nested messages deeper than this are refused (protobuf-java JsonFormat's default limit). */
const RECURSION_LIMIT = 100;

const INT32: [bigint, bigint] = [-(2n ** 31n), 2n ** 31n - 1n];
const UINT32: [bigint, bigint] = [0n, 2n ** 32n - 1n];
const INT64: [bigint, bigint] = [-(2n ** 63n), 2n ** 63n - 1n];
const UINT64: [bigint, bigint] = [0n, 2n ** 64n - 1n];
const RANGES: Record<string, [bigint, bigint]> = {
  int32: INT32,
  sint32: INT32,
  sfixed32: INT32,
  uint32: UINT32,
  fixed32: UINT32,
  int64: INT64,
  sint64: INT64,
  sfixed64: INT64,
  uint64: UINT64,
  fixed64: UINT64,
};
const WRAPPERS: Record<string, string> = {
  '.google.protobuf.DoubleValue': 'double',
  '.google.protobuf.FloatValue': 'float',
  '.google.protobuf.Int64Value': 'int64',
  '.google.protobuf.UInt64Value': 'uint64',
  '.google.protobuf.Int32Value': 'int32',
  '.google.protobuf.UInt32Value': 'uint32',
  '.google.protobuf.BoolValue': 'bool',
  '.google.protobuf.StringValue': 'string',
  '.google.protobuf.BytesValue': 'bytes',
};
const FLOAT_TEXT = /^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?[dDfF]?\s*$/;
const FLOAT_MAX = 3.4028234663852886e38;

function bad(): never {
  throw invalid(BAD);
}

/** JSON text of a primitive as protobuf-java's JSON reader sees it (getAsString). */
function asText(raw: unknown): string {
  if (typeof raw === 'string') return raw;
  if (typeof raw === 'number' || typeof raw === 'boolean') return String(raw);
  return bad();
}

function integer(raw: unknown, type: string): number | string {
  const text = asText(raw).trim();
  if (typeof raw === 'boolean' || !/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) bad();
  // An integral value written with a fraction or exponent ("2.0", 1e2) is accepted, like BigDecimal.
  const n = Number(text);
  let big: bigint;
  if (/^[+-]?\d+$/.test(text)) big = BigInt(text);
  else if (Number.isInteger(n) && Number.isSafeInteger(n)) big = BigInt(n);
  else return bad();
  const [min, max] = RANGES[type]!;
  if (big < min || big > max) bad();
  // 32-bit integers as numbers, 64-bit ones as decimal strings (proto3 JSON's canonical forms).
  return max <= UINT32[1] ? Number(big) : big.toString();
}

function double(raw: unknown, type: string): number | string {
  if (raw === 'NaN' || raw === 'Infinity' || raw === '-Infinity') return raw;
  const text = asText(raw);
  if (typeof raw === 'boolean' || !FLOAT_TEXT.test(text)) bad();
  const n = Number(text.trim().replace(/[dDfF]$/, ''));
  if (!Number.isFinite(n) || (type === 'float' && Math.abs(n) > FLOAT_MAX)) bad();
  return n;
}

function bytes(raw: unknown): string {
  if (typeof raw !== 'string') bad();
  const body = raw.replace(/=+$/, '');
  if (!/^[A-Za-z0-9+/]*$/.test(body) && !/^[A-Za-z0-9_-]*$/.test(body)) bad();
  if (body.length % 4 === 1) bad();
  return raw;
}

function scalar(raw: unknown, type: string): unknown {
  switch (type) {
    case 'string':
      return asText(raw);
    case 'bool':
      if (raw === true || raw === 'true') return true;
      if (raw === false || raw === 'false') return false;
      return bad();
    case 'double':
    case 'float':
      return double(raw, type);
    case 'bytes':
      return bytes(raw);
    default:
      if (RANGES[type]) return integer(raw, type);
      return bad();
  }
}

function enumValue(raw: unknown, e: Enum): string | number {
  const text = asText(raw);
  if (typeof raw === 'string' && Object.hasOwn(e.values, text)) return text;
  // Firestore's enums are proto3 (open): any int32 number is kept, names are not case-folded.
  if (typeof raw === 'boolean' || !/^[+-]?\d+$/.test(text.trim())) return bad();
  return integer(text, 'int32');
}

class Reader {
  private depth = 0;

  message(raw: unknown, type: Type): Record<string, unknown> {
    if (!isRecord(raw)) bad();
    const out: Record<string, unknown> = {};
    const seen = new Set<Field>();
    const oneofSet = new Map<string, Field>();
    for (const [key, v] of Object.entries(raw)) {
      const field = fieldOf(type, key);
      if (!field) bad();
      if (seen.has(field)) bad();
      seen.add(field);
      if (field.repeated && v === null) continue;
      const oneof = field.partOf;
      if (oneof && oneofSet.has(oneof.name)) bad();
      const value = this.field(v, field);
      if (value === undefined) continue;
      if (oneof) oneofSet.set(oneof.name, field);
      out[field.name] = value;
    }
    return out;
  }

  private field(raw: unknown, field: Field): unknown {
    if (field.map) {
      if (!isRecord(raw)) bad();
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(raw)) {
        const keyType = (field as unknown as MapField).keyType;
        if (keyType !== 'string') integer(k, keyType);
        const value = this.single(v, field);
        if (value === undefined) bad();
        out[k] = value;
      }
      return out;
    }
    if (field.repeated) {
      if (!Array.isArray(raw)) bad();
      return raw.map((x: unknown) => {
        const value = this.single(x, field);
        return value === undefined ? bad() : value;
      });
    }
    return this.single(raw, field);
  }

  /** One value of a field's type; undefined for a JSON null that leaves the field unset. */
  private single(raw: unknown, field: Field): unknown {
    const t = field.resolvedType;
    if (t && isEnum(t)) {
      if (raw === null) return t.fullName === '.google.protobuf.NullValue' ? null : undefined;
      return enumValue(raw, t);
    }
    if (raw === null) return undefined;
    if (!t) return scalar(raw, field.type);
    if (this.depth >= RECURSION_LIMIT) bad();
    this.depth++;
    try {
      return this.typed(raw, t);
    } finally {
      this.depth--;
    }
  }

  private typed(raw: unknown, t: Type): unknown {
    const wrapped = WRAPPERS[t.fullName];
    if (wrapped) return scalar(raw, wrapped);
    if (t.fullName === '.google.protobuf.Timestamp') {
      if (typeof raw !== 'string') bad();
      try {
        parseTimestamp(raw);
      } catch {
        bad();
      }
      return raw;
    }
    return this.message(raw, t as Type);
  }
}

function isEnum(t: Type | Enum): t is Enum {
  return !('fields' in t);
}

function fieldOf(type: Type, key: string): Field | undefined {
  if (Object.hasOwn(type.fields, key)) return type.fields[key];
  if (!key.includes('_')) return undefined;
  const camel = key.replace(/_([a-z0-9])/g, (_, c: string) => c.toUpperCase());
  const f = Object.hasOwn(type.fields, camel) ? type.fields[camel] : undefined;
  return f && key === camel.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`) ? f : undefined;
}

const types = new Map<string, Type>();

/**
 * Reads a REST body as the message `typeName` (e.g. `CommitRequest`, `Document`) of
 * google.firestore.v1, refusing what is not a valid payload; returns it in canonical form.
 */
export function readProtoJson(typeName: string, raw: unknown): Record<string, unknown> {
  let type = types.get(typeName);
  if (!type) {
    type = firestoreProtos().lookupType(`google.firestore.v1.${typeName}`);
    types.set(typeName, type);
  }
  return new Reader().message(raw, type);
}
