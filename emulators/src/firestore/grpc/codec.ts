/**
 * Conversion between protobufjs plain objects (toObject with the options below, as
 * @grpc/proto-loader uses them: longs and bytes as strings, enums as names, oneof virtual fields
 * on) and the canonical JSON shapes the core uses.
 */
import { type Codec, isRecord } from '../codec.js';
import { invalid } from '../errors.js';
import { parseDocumentName } from '../paths.js';
import { formatTimestamp, timestampToProto } from '../timestamps.js';
import type { Fields, Value } from '../values.js';

export const LOADER_OPTIONS = {
  keepCase: false,
  longs: String,
  enums: String,
  bytes: String,
  defaults: false,
  oneofs: true,
} as const;

const MAX_DEPTH = 40;

function protoTimestamp(raw: unknown): string {
  if (!isRecord(raw)) throw invalid('Timestamp must be a message.');
  return formatTimestamp(Number(raw['seconds'] ?? 0), Number(raw['nanos'] ?? 0));
}

function decodeValue(raw: unknown, depth: number): Value {
  if (depth > MAX_DEPTH) throw invalid('Value is nested too deeply.');
  if (!isRecord(raw)) throw invalid('Value must be a message.');
  const kind = raw['valueType'];
  switch (kind) {
    case 'nullValue':
      return { nullValue: null };
    case 'booleanValue':
      return { booleanValue: raw['booleanValue'] === true };
    case 'integerValue':
      return { integerValue: String(raw['integerValue'] ?? '0') };
    case 'doubleValue': {
      const d = Number(raw['doubleValue'] ?? 0);
      if (Number.isNaN(d)) return { doubleValue: 'NaN' };
      if (!Number.isFinite(d)) return { doubleValue: d > 0 ? 'Infinity' : '-Infinity' };
      return { doubleValue: d };
    }
    case 'timestampValue':
      return { timestampValue: protoTimestamp(raw['timestampValue']) };
    case 'stringValue':
      return { stringValue: String(raw['stringValue'] ?? '') };
    case 'bytesValue':
      return { bytesValue: String(raw['bytesValue'] ?? '') };
    case 'referenceValue': {
      const ref = String(raw['referenceValue'] ?? '');
      parseDocumentName(ref);
      return { referenceValue: ref };
    }
    case 'geoPointValue': {
      const g = isRecord(raw['geoPointValue']) ? raw['geoPointValue'] : {};
      const latitude = Number(g['latitude'] ?? 0);
      const longitude = Number(g['longitude'] ?? 0);
      if (Math.abs(latitude) > 90 || Math.abs(longitude) > 180) throw invalid('Invalid geoPointValue.');
      return { geoPointValue: { latitude, longitude } };
    }
    case 'arrayValue': {
      const a = isRecord(raw['arrayValue']) ? raw['arrayValue'] : {};
      const values = Array.isArray(a['values']) ? a['values'] : [];
      return { arrayValue: { values: values.map((v) => decodeValue(v, depth + 1)) } };
    }
    case 'mapValue': {
      const m = isRecord(raw['mapValue']) ? raw['mapValue'] : {};
      return { mapValue: { fields: decodeFields(m['fields'], depth + 1) } };
    }
    default:
      throw invalid('Value has no value set.');
  }
}

function decodeFields(raw: unknown, depth: number): Fields {
  if (raw === undefined || raw === null) return {};
  if (!isRecord(raw)) throw invalid('fields must be a map.');
  const out: Fields = {};
  for (const k of Object.keys(raw)) {
    if (k === '__proto__') throw invalid('Field name "__proto__" is reserved (matches __.*__).');
    out[k] = decodeValue(raw[k], depth);
  }
  return out;
}

export const protoCodec: Codec = {
  value: (raw) => decodeValue(raw, 0),
  fields: (raw) => decodeFields(raw, 0),
  timestamp: protoTimestamp,
};

export type ProtoValue = Record<string, unknown>;

/**
 * A commit answers its commit time once per write result plus once more, and documents share update
 * times, so recent conversions are cached (the objects are only read by the serializer). Seconds
 * are numbers: protobufjs would parse a string into a Long on every encode.
 */
const protoTimes = new Map<string, { seconds: number; nanos: number }>();

function protoTime(s: string): { seconds: number; nanos: number } {
  let t = protoTimes.get(s);
  if (!t) {
    if (protoTimes.size >= 1024) protoTimes.clear();
    t = timestampToProto(s);
    protoTimes.set(s, t);
  }
  return t;
}

export function encodeValue(v: Value): ProtoValue {
  if ('nullValue' in v) return { nullValue: 'NULL_VALUE' };
  if ('timestampValue' in v) return { timestampValue: protoTime(v.timestampValue) };
  if ('doubleValue' in v)
    return { doubleValue: typeof v.doubleValue === 'number' ? v.doubleValue : Number(v.doubleValue) };
  if ('arrayValue' in v) return { arrayValue: { values: (v.arrayValue.values ?? []).map(encodeValue) } };
  if ('mapValue' in v) return { mapValue: { fields: encodeFields(v.mapValue.fields ?? {}) } };
  return v as ProtoValue;
}

export function encodeFields(fields: Fields): Record<string, ProtoValue> {
  const out: Record<string, ProtoValue> = {};
  for (const k in fields) out[k] = encodeValue(fields[k]!);
  return out;
}

export function ts(s: string | undefined): { seconds: number; nanos: number } | undefined {
  return s ? protoTime(s) : undefined;
}

export function encodeDocument(d: {
  name: string;
  fields: Fields;
  createTime: string;
  updateTime: string;
}): ProtoValue {
  return {
    name: d.name,
    fields: encodeFields(d.fields),
    createTime: ts(d.createTime),
    updateTime: ts(d.updateTime),
  };
}
