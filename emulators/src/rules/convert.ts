/**
 * Host values → rules values. Firestore documents arrive in REST JSON form, Storage metadata
 * as plain JS objects (see api.ts). Type mapping per [FT-S expressionValue.ts][HID]:
 * integer→int, double→float, timestamp→timestamp, geopoint→latlng, reference→path, …
 */
import type { FirestoreDocument, FirestoreValue } from './api.js';
import { checkInt, EvalError, NS_PER_SEC, RLatLng, RMap, RPath, RTimestamp, type RVal } from './values.js';

export function fromFirestore(v: unknown): RVal {
  const fv = v as FirestoreValue;
  if (fv === null || typeof fv !== 'object') throw new EvalError('Malformed Firestore value.');
  if ('stringValue' in fv) return fv.stringValue;
  if ('integerValue' in fv) return parseInt64(fv.integerValue);
  if ('booleanValue' in fv) return fv.booleanValue;
  if ('mapValue' in fv) return new RMap(fv.mapValue.fields ?? {}, fromFirestore);
  if ('nullValue' in fv) return null;
  if ('doubleValue' in fv) return Number(fv.doubleValue);
  if ('timestampValue' in fv) return parseTimestamp(fv.timestampValue);
  if ('arrayValue' in fv) return (fv.arrayValue.values ?? []).map(fromFirestore);
  if ('referenceValue' in fv) return namePath(fv.referenceValue);
  if ('bytesValue' in fv) return new Uint8Array(Buffer.from(fv.bytesValue, 'base64'));
  if ('geoPointValue' in fv)
    return new RLatLng(fv.geoPointValue.latitude ?? 0, fv.geoPointValue.longitude ?? 0);
  throw new EvalError('Malformed Firestore value.');
}

/** `projects/p/databases/d/documents/a/b` → path `/databases/d/documents/a/b` ([R.fsRes] `__name__`). */
export function namePath(name: string): RPath {
  const segs = name.split('/').filter((s) => s !== '');
  const i = segs.indexOf('databases');
  return new RPath(i >= 0 ? segs.slice(i) : segs);
}

/** A stored document as `resource`: `data`, `id`, `__name__` [R.fsRes]. */
export function documentValue(doc: FirestoreDocument): RMap {
  const path = namePath(doc.name);
  return RMap.of(
    new Map<string, RVal>([
      ['data', new RMap(doc.fields ?? {}, fromFirestore)],
      ['id', path.segs[path.segs.length - 1] ?? ''],
      ['__name__', path],
    ]),
  );
}

/** A document in REST form; `fields` may be absent for an empty document. */
export function isFirestoreDocument(v: unknown): v is FirestoreDocument {
  if (typeof v !== 'object' || v === null || typeof (v as { name?: unknown }).name !== 'string') return false;
  const fields = (v as { fields?: unknown }).fields;
  return fields === undefined || (typeof fields === 'object' && fields !== null);
}

function parseInt64(s: string): bigint {
  if (!/^-?\d{1,19}$/.test(s)) throw new EvalError(`Malformed integer value ${s}.`);
  return checkInt(BigInt(s));
}

/** Plain JS (Storage metadata, auth token claims) → rules value. */
export function fromJs(v: unknown): RVal {
  switch (typeof v) {
    case 'string':
    case 'boolean':
    case 'bigint':
      return v;
    case 'number':
      // Whole numbers are ints (Storage `size`, `generation`); beyond 64 bits they stay floats.
      return Number.isInteger(v) && Math.abs(v) < 2 ** 63 ? BigInt(v) : v;
    case 'undefined':
      return null;
    case 'object':
      if (v === null) return null;
      if (Array.isArray(v)) return v.map(fromJs);
      if (v instanceof Date) return dateValue(v);
      if (v instanceof Uint8Array) return v;
      if (v instanceof RMap || v instanceof RPath || v instanceof RTimestamp) return v;
      return new RMap(v as Record<string, unknown>, fromJs);
  }
  throw new EvalError(`Unsupported host value of type ${typeof v}.`);
}

export function dateValue(d: Date): RTimestamp {
  const ms = d.getTime();
  if (Number.isNaN(ms)) throw new EvalError('Invalid date.');
  return new RTimestamp(BigInt(ms) * 1_000_000n);
}

/** RFC 3339 with up to nanosecond precision (`timestampValue`). */
export function parseTimestamp(s: string): RTimestamp {
  // Host data, not a rules pattern: a JS RegExp is fine here.
  const m =
    /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?([Zz]|[+-]\d{2}:\d{2})$/.exec(s);
  if (!m) throw new EvalError(`Malformed timestamp ${s}.`);
  const [, y, mo, d, h, mi, se, frac, zone] = m;
  let secs = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(se)) / 1000;
  if (Number(y) < 100) {
    const dt = new Date(0);
    dt.setUTCFullYear(Number(y), Number(mo) - 1, Number(d));
    dt.setUTCHours(Number(h), Number(mi), Number(se), 0);
    secs = dt.getTime() / 1000;
  }
  if (zone && zone !== 'Z' && zone !== 'z') {
    const sign = zone.startsWith('-') ? -1 : 1;
    secs -= sign * (Number(zone.slice(1, 3)) * 3600 + Number(zone.slice(4, 6)) * 60);
  }
  const nanos = frac ? BigInt(frac.padEnd(9, '0')) : 0n;
  return new RTimestamp(BigInt(secs) * NS_PER_SEC + nanos);
}
