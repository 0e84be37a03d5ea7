/**
 * The standard library's catalogue: what the checker accepts at compile time (names and
 * arities) and the runtime dispatch of `receiver.method(args)` by receiver type [R].
 */
import {
  EvalError,
  RConstraintMap,
  RDuration,
  RLatLng,
  RMap,
  RMapDiff,
  RPath,
  RSet,
  RTimestamp,
  type RVal,
  typeName,
} from '../values.js';
import { asMap } from './args.js';
import { listMethods, mapDiffMethods, mapMethods, setMethods } from './collections.js';
import { bytesMethods, conversions, hashing, latlngMethods, latlngValue, math } from './misc.js';
import { stringMethods } from './strings.js';
import {
  durationAbs,
  durationMethods,
  durationTime,
  durationValue,
  timestampDate,
  timestampMethods,
  timestampValue,
} from './time.js';

/** Method name → arity. Every documented method has one arity, so the checker can verify calls. */
export const METHOD_ARITY: ReadonlyMap<string, number> = new Map([
  ...[
    'lower',
    'upper',
    'trim',
    'size',
    'toUtf8',
    'toSet',
    'keys',
    'values',
    'addedKeys',
    'removedKeys',
    'changedKeys',
    'unchangedKeys',
    'affectedKeys',
    'date',
    'year',
    'month',
    'day',
    'hours',
    'minutes',
    'seconds',
    'nanos',
    'dayOfWeek',
    'dayOfYear',
    'time',
    'toMillis',
    'toBase64',
    'toHexString',
    'latitude',
    'longitude',
  ].map((n) => [n, 0] as const),
  ...[
    'matches',
    'split',
    'concat',
    'hasAll',
    'hasAny',
    'hasOnly',
    'join',
    'removeAll',
    'diff',
    'difference',
    'intersection',
    'union',
    'bind',
    'distance',
  ].map((n) => [n, 1] as const),
  ['replace', 2],
  ['get', 2],
]);

/** Global functions other than document access: conversions and `debug` [R]. */
export const GLOBAL_ARITY: ReadonlyMap<string, number> = new Map([
  ['int', 1],
  ['float', 1],
  ['string', 1],
  ['bool', 1],
  ['path', 1],
  ['debug', 1],
]);

/** Firestore document access [R.fs][RC]. */
export const FIRESTORE_ACCESS: ReadonlyMap<string, number> = new Map([
  ['get', 1],
  ['exists', 1],
  ['getAfter', 1],
  ['existsAfter', 1],
]);

type NsFn = (...args: RVal[]) => RVal;

/** `namespace.function` → implementation and arity. `firestore.*` is Storage-only, bound by the evaluator. */
export const NAMESPACES: ReadonlyMap<string, ReadonlyMap<string, { arity: number; fn?: NsFn }>> = new Map([
  ['math', new Map(Object.entries(math).map(([k, fn]) => [k, { arity: k === 'pow' ? 2 : 1, fn }] as const))],
  ['hashing', new Map(Object.entries(hashing).map(([k, fn]) => [k, { arity: 1, fn: fn as NsFn }] as const))],
  [
    'timestamp',
    new Map([
      ['date', { arity: 3, fn: ((y, m, d) => timestampDate(y as RVal, m as RVal, d as RVal)) as NsFn }],
      ['value', { arity: 1, fn: ((ms) => timestampValue(ms as RVal)) as NsFn }],
    ]),
  ],
  [
    'duration',
    new Map([
      ['value', { arity: 2, fn: ((m, u) => durationValue(m as RVal, u as RVal)) as NsFn }],
      [
        'time',
        { arity: 4, fn: ((h, m, s, n) => durationTime(h as RVal, m as RVal, s as RVal, n as RVal)) as NsFn },
      ],
      ['abs', { arity: 1, fn: ((d) => durationAbs(d as RVal)) as NsFn }],
    ]),
  ],
  ['latlng', new Map([['value', { arity: 2, fn: ((a, b) => latlngValueFn(a as RVal, b as RVal)) as NsFn }]])],
  [
    'firestore',
    new Map([
      ['get', { arity: 1 }],
      ['exists', { arity: 1 }],
    ]),
  ],
]);

function latlngValueFn(a: RVal, b: RVal): RVal {
  return latlngValue(a, b);
}

export function callConversion(name: string, v: RVal): RVal {
  const fn = conversions[name];
  if (!fn) throw new EvalError(`Function not found error: Name: [${name}].`);
  return fn(v);
}

/** `(/a/$(x)).bind({'x': 'y'})` fills placeholders [R.Path]. */
function bindPath(p: RPath, m: RVal): RPath {
  const map = asMap('path.bind', m);
  if (!p.placeholders) return p;
  const segs = p.segs.slice();
  const ph = p.placeholders.slice();
  for (let i = 0; i < segs.length; i++) {
    const name = ph[i];
    if (!name) continue;
    const v = map.get(name);
    if (v === undefined) continue;
    if (typeof v !== 'string' && typeof v !== 'bigint')
      throw new EvalError('path.bind values must be strings.');
    segs[i] = String(v);
    ph[i] = undefined;
  }
  return new RPath(segs, ph.some((x) => x) ? ph : undefined);
}

function notFound(name: string, recv: RVal): never {
  throw new EvalError(`Function not found error: Name: [${name}] on ${typeName(recv)}.`);
}

/** Runtime dispatch of a method call by receiver type. */
export function callMethod(recv: RVal, name: string, args: RVal[]): RVal {
  let impl: ((r: never, a: RVal[]) => RVal) | undefined;
  if (typeof recv === 'string') impl = stringMethods[name];
  else if (Array.isArray(recv)) impl = listMethods[name];
  else if (recv instanceof RMap) impl = mapMethods[name];
  else if (recv instanceof RSet) impl = setMethods[name];
  else if (recv instanceof RMapDiff) impl = mapDiffMethods[name];
  else if (recv instanceof RTimestamp) impl = timestampMethods[name];
  else if (recv instanceof RDuration) impl = durationMethods[name];
  else if (recv instanceof Uint8Array) impl = bytesMethods[name];
  else if (recv instanceof RLatLng) impl = latlngMethods[name];
  else if (recv instanceof RPath) {
    if (name === 'bind') return bindPath(recv, args[0] as RVal);
  } else if (recv === null) {
    throw new EvalError('Null value error.');
  } else if (recv instanceof RConstraintMap) {
    throw new EvalError('Unknown value: the query does not constrain this part of resource.data.');
  }
  if (!impl) return notFound(name, recv);
  return impl(recv as never, args);
}
