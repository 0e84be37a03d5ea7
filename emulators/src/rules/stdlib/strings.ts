/**
 * rules.String [R.String][SREF]. Regular expressions are RE2 (linear time, so hostile patterns
 * such as `(a+)+$` cannot hang the emulator) through re2js; `matches` is a whole-string match.
 */
import { RE2JS } from 're2js';
import { EvalError, type RVal } from '../values.js';
import { asList, asStr } from './args.js';

const CACHE_LIMIT = 512;
const cache = new Map<string, RE2JS>();

/** Compiles (and caches, bounded) an RE2 pattern; a malformed pattern is an evaluation error. */
export function regex(pattern: string): RE2JS {
  let re = cache.get(pattern);
  if (re) return re;
  try {
    re = RE2JS.compile(pattern);
  } catch (e) {
    throw new EvalError(`Invalid regular expression '${pattern}': ${(e as Error).message}`);
  }
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(pattern, re);
  return re;
}

export function matches(s: string, re: RE2JS): boolean {
  return re.testExact(s);
}

export function replace(s: string, re: RE2JS, sub: string): string {
  try {
    // Java-mode replacement: `$1` refers to a group, as in RE2/J which the official runtime uses.
    return re.matcher(s).replaceAll(sub, true);
  } catch (e) {
    throw new EvalError(`Invalid replacement '${sub}': ${(e as Error).message}`);
  }
}

/** Keeps empty pieces (`'a/b/'.split('/')` is `['a','b','']`), like CEL's split. */
export function split(s: string, re: RE2JS): string[] {
  return re.split(s, -1);
}

/** ASCII-only case mapping [HID]. */
function mapAscii(s: string, upper: boolean): string {
  let out = '';
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (upper && c >= 97 && c <= 122) out += String.fromCharCode(c - 32);
    else if (!upper && c >= 65 && c <= 90) out += String.fromCharCode(c + 32);
    else out += s[i];
  }
  return out;
}

/** Java `String.trim`: strips code units <= U+0020 at both ends. */
function trim(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && s.charCodeAt(a) <= 32) a++;
  while (b > a && s.charCodeAt(b - 1) <= 32) b--;
  return s.slice(a, b);
}

export const stringMethods: Record<string, (s: string, args: RVal[]) => RVal> = {
  lower: (s) => mapAscii(s, false),
  upper: (s) => mapAscii(s, true),
  trim: (s) => trim(s),
  size: (s) => BigInt(s.length),
  toUtf8: (s) => new Uint8Array(Buffer.from(s, 'utf8')),
  matches: (s, [re]) => matches(s, regex(asStr('string.matches', re as RVal))),
  split: (s, [re]) => split(s, regex(asStr('string.split', re as RVal))),
  replace: (s, [re, sub]) =>
    replace(s, regex(asStr('string.replace', re as RVal)), asStr('string.replace', sub as RVal)),
};

export function joinList(list: RVal[], sep: RVal): string {
  const sp = asStr('list.join', sep);
  const items = asList('list.join', list);
  const parts: string[] = [];
  for (const it of items) parts.push(asStr('list.join', it));
  return parts.join(sp);
}
