/**
 * Matching request paths against `match` patterns [RL][RS][SCS]: literal segments, `{x}` binds
 * one segment as a string, `{x=**}` binds a path — one or more trailing segments in v1, zero or
 * more anywhere in v2. List queries are checked against `<collection>/<unknown id>`; a
 * collection group adds an unknown prefix that only a `**` wildcard can absorb [RQ][HID paths].
 */
import type { PatternSeg } from './ast.js';
import { UNBOUND, type Unbound } from './context.js';
import { RPath, type RVal } from './values.js';

/** Sentinels cannot collide with real segments (those never contain U+0000). */
export const UNKNOWN_ID = '\u0000id';
export const UNKNOWN_PREFIX = '\u0000prefix';

export interface CompiledPattern {
  segs: PatternSeg[];
  /** Capture slot of each segment (-1 for literals). */
  slots: number[];
  v1: boolean;
}

/**
 * Tries every way `pattern` can consume `path` from `offset`; calls `onEnd(end)` per way
 * (with captures filled) and stops as soon as it returns true.
 */
export function matchPattern(
  pat: CompiledPattern,
  path: readonly string[],
  offset: number,
  caps: (RVal | Unbound)[],
  onEnd: (end: number) => boolean,
): boolean {
  return go(pat, path, caps, onEnd, 0, offset);
}

function go(
  pat: CompiledPattern,
  path: readonly string[],
  caps: (RVal | Unbound)[],
  onEnd: (end: number) => boolean,
  pi: number,
  o: number,
): boolean {
  const segs = pat.segs;
  if (pi === segs.length) return onEnd(o);
  const seg = segs[pi] as PatternSeg;
  if (seg.kind === 'lit')
    return o < path.length && path[o] === seg.text && go(pat, path, caps, onEnd, pi + 1, o + 1);
  const slot = pat.slots[pi] as number;
  if (seg.kind === 'cap') {
    if (o >= path.length) return false;
    const s = path[o] as string;
    if (s === UNKNOWN_PREFIX) return false;
    caps[slot] = s === UNKNOWN_ID ? UNBOUND : s;
    return go(pat, path, caps, onEnd, pi + 1, o + 1);
  }
  const rest = path.length - o;
  if (pat.v1) {
    // v1: one or more segments, and the wildcard is last [RL].
    if (rest < 1) return false;
    caps[slot] = globValue(path, o, path.length);
    return go(pat, path, caps, onEnd, pi + 1, path.length);
  }
  for (let n = 0; n <= rest; n++) {
    caps[slot] = globValue(path, o, o + n);
    if (go(pat, path, caps, onEnd, pi + 1, o + n)) return true;
  }
  return false;
}

function globValue(path: readonly string[], from: number, to: number): RVal | Unbound {
  const segs = path.slice(from, to);
  if (segs.some((s) => s === UNKNOWN_ID || s === UNKNOWN_PREFIX)) return UNBOUND;
  return new RPath(segs);
}

/** Splits `/a/b/c` into segments; empty pieces (`//`, leading or trailing `/`) are dropped. */
export function splitPath(p: string): string[] {
  return p.split('/').filter((s) => s !== '');
}
