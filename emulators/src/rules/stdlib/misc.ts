/**
 * rules.Bytes, rules.LatLng, `math`, `hashing` and the global conversions
 * [R.Bytes][R.LatLng][R.latlng][R.math][R.hashing][R.Integer][R.Float][R.String][R.Boolean][R.Path].
 */
import { createHash } from 'node:crypto';
import { checkInt, EvalError, formatFloat, RLatLng, RPath, type RVal, typeName } from '../values.js';
import { asBytes, asNum, badArg } from './args.js';

export const bytesMethods: Record<string, (b: Uint8Array, args: RVal[]) => RVal> = {
  size: (b) => BigInt(b.length),
  // base64url alphabet: b'\xFB\xEF\xBE'.toBase64() == '----' [R.Bytes].
  toBase64: (b) => Buffer.from(b).toString('base64').replace(/\+/g, '-').replace(/\//g, '_'),
  toHexString: (b) => Buffer.from(b).toString('hex').toUpperCase(),
};

/** Mean Earth radius in metres (the S2 library's value; Google does not document the formula). */
const EARTH_RADIUS_M = 6_371_010;

export const latlngMethods: Record<string, (p: RLatLng, args: RVal[]) => RVal> = {
  latitude: (p) => p.lat,
  longitude: (p) => p.lng,
  distance: (p, [o]) => {
    if (!(o instanceof RLatLng)) return badArg('latlng.distance', 'latlng', o as RVal);
    const rad = Math.PI / 180;
    const dLat = (o.lat - p.lat) * rad;
    const dLng = (o.lng - p.lng) * rad;
    const a =
      Math.sin(dLat / 2) ** 2 + Math.cos(p.lat * rad) * Math.cos(o.lat * rad) * Math.sin(dLng / 2) ** 2;
    return 2 * EARTH_RADIUS_M * Math.asin(Math.min(1, Math.sqrt(a)));
  },
};

export function latlngValue(lat: RVal, lng: RVal): RLatLng {
  const la = asNum('latlng.value', lat);
  const ln = asNum('latlng.value', lng);
  if (!(la >= -90 && la <= 90) || !(ln >= -180 && ln <= 180))
    throw new EvalError('Invalid latitude or longitude.');
  return new RLatLng(la, ln);
}

function floatToInt(fn: string, x: number): bigint {
  if (!Number.isFinite(x)) throw new EvalError(`${fn}: cannot convert ${formatFloat(x)} to int.`);
  return checkInt(BigInt(Math.trunc(x)));
}

export const math: Record<string, (...a: RVal[]) => RVal> = {
  abs: (x) => {
    if (typeof x === 'bigint') return checkInt(x < 0n ? -x : x);
    return Math.abs(asNum('math.abs', x as RVal));
  },
  ceil: (x) =>
    typeof x === 'bigint' ? x : floatToInt('math.ceil', Math.ceil(asNum('math.ceil', x as RVal))),
  floor: (x) =>
    typeof x === 'bigint' ? x : floatToInt('math.floor', Math.floor(asNum('math.floor', x as RVal))),
  // Half rounds away from zero: round(2.5) == 3 [R.math]; -2.5 → -3 by symmetry (undocumented).
  round: (x) => {
    if (typeof x === 'bigint') return x;
    const v = asNum('math.round', x as RVal);
    return floatToInt('math.round', Math.sign(v) * Math.round(Math.abs(v)));
  },
  sqrt: (x) => Math.sqrt(asNum('math.sqrt', x as RVal)),
  pow: (b, e) => asNum('math.pow', b as RVal) ** asNum('math.pow', e as RVal),
  isInfinite: (x) => {
    const v = asNum('math.isInfinite', x as RVal);
    return v === Number.POSITIVE_INFINITY || v === Number.NEGATIVE_INFINITY;
  },
  isNaN: (x) => Number.isNaN(asNum('math.isNaN', x as RVal)),
};

function hashInput(fn: string, v: RVal): Uint8Array {
  if (typeof v === 'string') return Buffer.from(v, 'utf8');
  return asBytes(fn, v);
}

function crcTable(poly: number): Uint32Array {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? (poly ^ (c >>> 1)) >>> 0 : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
}
const CRC32 = crcTable(0xedb88320);
const CRC32C = crcTable(0x82f63b78);

function crc(table: Uint32Array, data: Uint8Array): Uint8Array {
  let c = 0xffffffff;
  for (const b of data) c = (table[(c ^ b) & 0xff] as number) ^ (c >>> 8);
  c = (c ^ 0xffffffff) >>> 0;
  return new Uint8Array([c >>> 24, (c >>> 16) & 0xff, (c >>> 8) & 0xff, c & 0xff]);
}

export const hashing: Record<string, (v: RVal) => RVal> = {
  crc32: (v) => crc(CRC32, hashInput('hashing.crc32', v)),
  crc32c: (v) => crc(CRC32C, hashInput('hashing.crc32c', v)),
  md5: (v) => new Uint8Array(createHash('md5').update(hashInput('hashing.md5', v)).digest()),
  sha256: (v) => new Uint8Array(createHash('sha256').update(hashInput('hashing.sha256', v)).digest()),
};

const INT_TEXT = /^[+-]?\d+$/;
const FLOAT_TEXT = /^[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?|NaN|Infinity)$/;

export const conversions: Record<string, (v: RVal) => RVal> = {
  int: (v) => {
    if (typeof v === 'bigint') return v;
    if (typeof v === 'number') return floatToInt('int', v);
    if (typeof v === 'string') {
      if (!INT_TEXT.test(v)) throw new EvalError(`int: cannot parse '${v}'.`);
      return checkInt(BigInt(v));
    }
    return badArg('int', 'string or number', v);
  },
  float: (v) => {
    if (typeof v === 'number') return v;
    if (typeof v === 'bigint') return Number(v);
    if (typeof v === 'string') {
      if (!FLOAT_TEXT.test(v.trim())) throw new EvalError(`float: cannot parse '${v}'.`);
      return Number(v);
    }
    return badArg('float', 'string or number', v);
  },
  string: (v) => {
    if (v === null) return 'null';
    switch (typeof v) {
      case 'string':
        return v;
      case 'boolean':
      case 'bigint':
        return String(v);
      case 'number':
        return formatFloat(v);
    }
    if (v instanceof RPath) return v.toString();
    return badArg('string', 'bool, int, float, string, path or null', v);
  },
  bool: (v) => {
    if (typeof v === 'boolean') return v;
    if (v === 'true') return true;
    if (v === 'false') return false;
    throw new EvalError(
      `bool: cannot convert ${typeName(v)} ${typeof v === 'string' ? `'${v}'` : ''}`.trim() + '.',
    );
  },
  path: (v) => {
    if (v instanceof RPath) return v;
    if (typeof v !== 'string') return badArg('path', 'string', v);
    return new RPath(v.split('/').filter((s) => s !== ''));
  },
};
