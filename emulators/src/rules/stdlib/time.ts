/**
 * rules.Timestamp / rules.Duration and the `timestamp.*` / `duration.*` namespaces
 * [R.Timestamp][R.Duration][R.timestamp][R.duration][SREF]. Both are held as bigint
 * nanoseconds so arithmetic is exact across the full 0001–9999 range.
 */
import {
  EvalError,
  mkDuration,
  mkTimestamp,
  NS_PER_SEC,
  RDuration,
  type RTimestamp,
  type RVal,
} from '../values.js';
import { asInt, badArg } from './args.js';

const NS_PER_MS = 1_000_000n;
const NS_PER_DAY = 86_400n * NS_PER_SEC;

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
}

function utcDate(t: RTimestamp): Date {
  return new Date(Number(floorDiv(t.ns, NS_PER_MS)));
}

function dayStartNs(t: RTimestamp): bigint {
  return floorDiv(t.ns, NS_PER_DAY) * NS_PER_DAY;
}

export const timestampMethods: Record<string, (t: RTimestamp, args: RVal[]) => RVal> = {
  date: (t) => mkTimestamp(dayStartNs(t)),
  year: (t) => BigInt(utcDate(t).getUTCFullYear()),
  month: (t) => BigInt(utcDate(t).getUTCMonth() + 1),
  day: (t) => BigInt(utcDate(t).getUTCDate()),
  hours: (t) => BigInt(utcDate(t).getUTCHours()),
  minutes: (t) => BigInt(utcDate(t).getUTCMinutes()),
  seconds: (t) => BigInt(utcDate(t).getUTCSeconds()),
  nanos: (t) => t.ns - floorDiv(t.ns, NS_PER_SEC) * NS_PER_SEC,
  // 1 = Monday … 7 = Sunday [R.Timestamp].
  dayOfWeek: (t) => BigInt(((utcDate(t).getUTCDay() + 6) % 7) + 1),
  dayOfYear: (t) => {
    const d = utcDate(t);
    const jan1 = new Date(0);
    jan1.setUTCFullYear(d.getUTCFullYear(), 0, 1);
    return BigInt(Math.floor((d.getTime() - jan1.getTime()) / 86_400_000) + 1);
  },
  time: (t) => new RDuration(t.ns - dayStartNs(t)),
  toMillis: (t) => floorDiv(t.ns, NS_PER_MS),
};

export const durationMethods: Record<string, (d: RDuration, args: RVal[]) => RVal> = {
  // Both truncate toward zero, so the signs of seconds() and nanos() agree [R.Duration].
  seconds: (d) => d.ns / NS_PER_SEC,
  nanos: (d) => d.ns % NS_PER_SEC,
};

const UNIT_NS: Record<string, bigint> = {
  w: 7n * NS_PER_DAY,
  d: NS_PER_DAY,
  h: 3600n * NS_PER_SEC,
  m: 60n * NS_PER_SEC,
  s: NS_PER_SEC,
  ms: NS_PER_MS,
  ns: 1n,
};

/** `timestamp.date(y, m, d)`: midnight UTC; out-of-range fields are errors [R.timestamp]. */
export function timestampDate(y: RVal, m: RVal, d: RVal): RTimestamp {
  const yy = Number(asInt('timestamp.date', y));
  const mm = Number(asInt('timestamp.date', m));
  const dd = Number(asInt('timestamp.date', d));
  if (yy < 1 || yy > 9999 || mm < 1 || mm > 12 || dd < 1 || dd > 31) throw new EvalError('Invalid date.');
  const dt = new Date(0);
  dt.setUTCFullYear(yy, mm - 1, dd);
  if (dt.getUTCMonth() !== mm - 1) throw new EvalError('Invalid date.');
  return mkTimestamp(BigInt(dt.getTime()) * NS_PER_MS);
}

export function timestampValue(ms: RVal): RTimestamp {
  return mkTimestamp(asInt('timestamp.value', ms) * NS_PER_MS);
}

export function durationValue(mag: RVal, unit: RVal): RDuration {
  if (typeof unit !== 'string') return badArg('duration.value', 'string unit', unit);
  const per = UNIT_NS[unit];
  if (per === undefined)
    throw new EvalError(`Invalid duration unit '${unit}'. Expected one of w, d, h, m, s, ms, ns.`);
  if (typeof mag === 'bigint') return mkDuration(mag * per);
  if (typeof mag === 'number' && Number.isFinite(mag))
    return mkDuration(BigInt(Math.trunc(mag * Number(per))));
  return badArg('duration.value', 'number', mag);
}

export function durationTime(h: RVal, m: RVal, s: RVal, ns: RVal): RDuration {
  const f = 'duration.time';
  return mkDuration(
    asInt(f, h) * UNIT_NS.h! + asInt(f, m) * UNIT_NS.m! + asInt(f, s) * NS_PER_SEC + asInt(f, ns),
  );
}

export function durationAbs(d: RVal): RDuration {
  if (!(d instanceof RDuration)) return badArg('duration.abs', 'duration', d);
  return d.ns < 0n ? new RDuration(-d.ns) : d;
}
