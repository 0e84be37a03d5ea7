/** Argument coercion shared by the standard library; each failure is an evaluation error. */
import { EvalError, RMap, RSet, type RVal, typeName } from '../values.js';

export function badArg(fn: string, expected: string, got: RVal): never {
  throw new EvalError(`Invalid argument for ${fn}: expected ${expected}, received ${typeName(got)}.`);
}

export function asStr(fn: string, v: RVal): string {
  if (typeof v !== 'string') badArg(fn, 'string', v);
  return v;
}

export function asInt(fn: string, v: RVal): bigint {
  if (typeof v !== 'bigint') badArg(fn, 'int', v);
  return v;
}

export function asNum(fn: string, v: RVal): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint') return Number(v);
  return badArg(fn, 'number', v);
}

export function asList(fn: string, v: RVal): RVal[] {
  if (!Array.isArray(v)) badArg(fn, 'list', v);
  return v;
}

export function asMap(fn: string, v: RVal): RMap {
  if (!(v instanceof RMap)) badArg(fn, 'map', v);
  return v;
}

/** Set operations accept a set or a list [R.Set]. */
export function asItems(fn: string, v: RVal): RVal[] {
  if (v instanceof RSet) return v.items;
  if (Array.isArray(v)) return v;
  return badArg(fn, 'list or set', v);
}

export function asBytes(fn: string, v: RVal): Uint8Array {
  if (!(v instanceof Uint8Array)) badArg(fn, 'bytes', v);
  return v;
}
