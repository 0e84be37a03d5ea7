/**
 * Decoding of proto3-JSON values (REST bodies from firebase/firestore/lite and gax fallback) into
 * the canonical form of values.ts, rejecting anything malformed with INVALID_ARGUMENT.
 */
import { type Codec, isRecord } from './codec.js';
import { invalid } from './errors.js';
import { parseDocumentName } from './paths.js';
import { parseTimestamp } from './timestamps.js';
import type { Fields, Value } from './values.js';

const MAX_DEPTH = 40;
const INT64_MAX = 2n ** 63n - 1n;
const INT64_MIN = -(2n ** 63n);
const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;

function parseInteger(raw: unknown): string {
  if (typeof raw === 'number') {
    if (!Number.isSafeInteger(raw)) throw invalid(`Invalid integerValue: ${raw}`);
    return String(raw);
  }
  if (typeof raw !== 'string' || !/^-?\d{1,19}$/.test(raw))
    throw invalid('integerValue must be a decimal string.');
  const n = BigInt(raw);
  if (n > INT64_MAX || n < INT64_MIN) throw invalid(`integerValue out of int64 range: ${raw}`);
  return n.toString();
}

function parseDouble(raw: unknown): number | 'NaN' | 'Infinity' | '-Infinity' {
  if (typeof raw === 'number') return raw;
  if (raw === 'NaN' || raw === 'Infinity' || raw === '-Infinity') return raw;
  if (typeof raw === 'string' && raw.trim() !== '' && !Number.isNaN(Number(raw))) return Number(raw);
  throw invalid('doubleValue must be a number.');
}

function parseBytes(raw: unknown): string {
  if (typeof raw !== 'string' || !BASE64.test(raw)) throw invalid('bytesValue must be base64.');
  return Buffer.from(raw, raw.includes('-') || raw.includes('_') ? 'base64url' : 'base64').toString('base64');
}

/** A double as Java's Double.toString writes it (integral values with ".0", large ones with "E"). */
function javaDouble(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 1e7) return n.toFixed(1);
  if (Math.abs(n) >= 1e7) {
    const [m, e] = n.toExponential().split('e');
    return `${m!.includes('.') ? m : `${m}.0`}E${Number(e)}`;
  }
  return String(n);
}

export function jsonValue(raw: unknown, depth = 0): Value {
  if (depth > MAX_DEPTH) throw invalid('Value is nested too deeply.');
  // An absent value or one with no member is a Value with no type (Google's emulator's words).
  if (raw === undefined || raw === null || (isRecord(raw) && Object.keys(raw).length === 0))
    throw invalid('Cannot convert firestore.v1.Value with type unset.');
  if (!isRecord(raw)) throw invalid('A value must be an object with exactly one value field.');
  const keys = Object.keys(raw);
  if (keys.length !== 1) throw invalid(`A value must have exactly one value field, got ${keys.length}.`);
  const key = keys[0]!;
  const v = raw[key];
  switch (key) {
    case 'nullValue':
      if (v !== null && v !== 'NULL_VALUE' && v !== 0) throw invalid('Invalid nullValue.');
      return { nullValue: null };
    case 'booleanValue':
      if (typeof v !== 'boolean') throw invalid('booleanValue must be a boolean.');
      return { booleanValue: v };
    case 'integerValue':
      return { integerValue: parseInteger(v) };
    case 'doubleValue':
      return { doubleValue: parseDouble(v) };
    case 'timestampValue':
      if (typeof v !== 'string') throw invalid('timestampValue must be an RFC 3339 string.');
      return { timestampValue: parseTimestamp(v) };
    case 'stringValue':
      if (typeof v !== 'string') throw invalid('stringValue must be a string.');
      return { stringValue: v };
    case 'bytesValue':
      return { bytesValue: parseBytes(v) };
    case 'referenceValue':
      parseDocumentName(v, 'Resource name');
      return { referenceValue: v as string };
    case 'geoPointValue': {
      if (!isRecord(v)) throw invalid('geoPointValue must be an object.');
      const lat = v['latitude'] ?? 0;
      const lng = v['longitude'] ?? 0;
      if (typeof lat !== 'number' || typeof lng !== 'number') throw invalid('Invalid geoPointValue.');
      // Google's emulator's words, with Java's rendering of a double.
      if (Math.abs(lat) > 90)
        throw invalid(`Geo point latitude '${javaDouble(lat)}' outside permitted range -90.0 to 90.0.`);
      if (Math.abs(lng) > 180)
        throw invalid(`Geo point longitude '${javaDouble(lng)}' outside permitted range -180.0 to 180.0.`);
      return { geoPointValue: { latitude: lat, longitude: lng } };
    }
    case 'arrayValue': {
      if (!isRecord(v)) throw invalid('arrayValue must be an object.');
      const values = v['values'] ?? [];
      if (!Array.isArray(values)) throw invalid('arrayValue.values must be an array.');
      return { arrayValue: { values: values.map((x) => jsonValue(x, depth + 1)) } };
    }
    case 'mapValue': {
      if (!isRecord(v)) throw invalid('mapValue must be an object.');
      return { mapValue: { fields: jsonFields(v['fields'] ?? {}, depth + 1) } };
    }
    default:
      throw invalid(`Unknown value field: ${key.slice(0, 50)}`);
  }
}

export function jsonFields(raw: unknown, depth = 0): Fields {
  if (!isRecord(raw)) throw invalid('fields must be an object.');
  const out: Fields = {};
  for (const k of Object.keys(raw)) {
    if (k === '__proto__') throw invalid('Field name "__proto__" is reserved (matches __.*__).');
    out[k] = jsonValue(raw[k], depth);
  }
  return out;
}

export const jsonCodec: Codec = {
  value: (raw) => jsonValue(raw),
  fields: (raw) => jsonFields(raw),
  timestamp: (raw) => {
    if (typeof raw !== 'string') throw invalid('Timestamps must be RFC 3339 strings.');
    return parseTimestamp(raw);
  },
};
