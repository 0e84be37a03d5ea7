/** rules.List, rules.Map, rules.MapDiff, rules.Set [R.List][R.Map][R.MapDiff][R.Set][BLOG20]. */
import { EvalError, eq, RMap, RMapDiff, RSet, type RVal, ValueIndex } from '../values.js';
import { asItems, asList, asMap, asStr, badArg } from './args.js';
import { joinList } from './strings.js';

function index(items: RVal[] | RSet): ValueIndex | RSet {
  return items instanceof RSet ? items : new ValueIndex(items);
}

function hasAll(recv: RVal[] | RSet, arg: RVal[]): boolean {
  const idx = index(recv);
  return arg.every((v) => idx.has(v));
}
function hasAny(recv: RVal[] | RSet, arg: RVal[]): boolean {
  const idx = index(recv);
  return arg.some((v) => idx.has(v));
}
/** Duplicates are ignored: `['a','a','b'].hasOnly(['a','b','b'])` is true [R.List]. */
function hasOnly(recv: RVal[], arg: RVal[]): boolean {
  const idx = new ValueIndex(arg);
  return recv.every((v) => idx.has(v));
}

export const listMethods: Record<string, (l: RVal[], args: RVal[]) => RVal> = {
  size: (l) => BigInt(l.length),
  concat: (l, [o]) => l.concat(asList('list.concat', o as RVal)),
  hasAll: (l, [o]) => hasAll(l, asItems('list.hasAll', o as RVal)),
  hasAny: (l, [o]) => hasAny(l, asItems('list.hasAny', o as RVal)),
  hasOnly: (l, [o]) => hasOnly(l, asItems('list.hasOnly', o as RVal)),
  join: (l, [sep]) => joinList(l, sep as RVal),
  removeAll: (l, [o]) => {
    const rm = new ValueIndex(asItems('list.removeAll', o as RVal));
    return l.filter((v) => !rm.has(v));
  },
  toSet: (l) => RSet.from(l),
};

export const setMethods: Record<string, (s: RSet, args: RVal[]) => RVal> = {
  size: (s) => BigInt(s.items.length),
  hasAll: (s, [o]) => hasAll(s, asItems('set.hasAll', o as RVal)),
  hasAny: (s, [o]) => hasAny(s, asItems('set.hasAny', o as RVal)),
  hasOnly: (s, [o]) => hasOnly(s.items, asItems('set.hasOnly', o as RVal)),
  // Receiver minus argument, per the page's example (its prose is reversed) [R.Set].
  difference: (s, [o]) => {
    const other = new ValueIndex(asItems('set.difference', o as RVal));
    return new RSet(s.items.filter((v) => !other.has(v)));
  },
  intersection: (s, [o]) => {
    const other = new ValueIndex(asItems('set.intersection', o as RVal));
    return new RSet(s.items.filter((v) => other.has(v)));
  },
  union: (s, [o]) => RSet.from(s.items.concat(asItems('set.union', o as RVal))),
};

/** Keys sorted, the order Firestore stores map fields in; `values()` follows key order [SREF]. */
function sortedKeys(m: RMap): string[] {
  return m.keys().sort();
}

export function mapGet(m: RMap, key: RVal, dflt: RVal): RVal {
  if (typeof key === 'string') {
    const v = m.get(key);
    return v === undefined ? dflt : v;
  }
  if (!Array.isArray(key)) return badArg('map.get', 'string or list of strings', key);
  let cur: RVal = m;
  for (const k of key) {
    const ks = asStr('map.get', k);
    if (!(cur instanceof RMap)) return dflt;
    const next: RVal | undefined = cur.get(ks);
    if (next === undefined) return dflt;
    cur = next;
  }
  return cur;
}

export const mapMethods: Record<string, (m: RMap, args: RVal[]) => RVal> = {
  size: (m) => BigInt(m.size),
  keys: (m) => sortedKeys(m),
  values: (m) => sortedKeys(m).map((k) => m.get(k) as RVal),
  get: (m, [k, d]) => mapGet(m, k as RVal, d as RVal),
  diff: (m, [o]) => new RMapDiff(m, asMap('map.diff', o as RVal)),
};

function diffKeys(d: RMapDiff, kind: 'added' | 'removed' | 'changed' | 'unchanged' | 'affected'): RSet {
  const out: string[] = [];
  const { left, right } = d;
  if (kind === 'added' || kind === 'affected') for (const k of left.keys()) if (!right.has(k)) out.push(k);
  if (kind === 'removed' || kind === 'affected') for (const k of right.keys()) if (!left.has(k)) out.push(k);
  if (kind === 'changed' || kind === 'unchanged' || kind === 'affected') {
    for (const k of left.keys()) {
      const r = right.get(k);
      if (r === undefined) continue;
      const same = eq(left.get(k) as RVal, r, false, true);
      if (same === (kind === 'unchanged')) out.push(k);
    }
  }
  return new RSet(out.sort());
}

export const mapDiffMethods: Record<string, (d: RMapDiff, args: RVal[]) => RVal> = {
  addedKeys: (d) => diffKeys(d, 'added'),
  removedKeys: (d) => diffKeys(d, 'removed'),
  changedKeys: (d) => diffKeys(d, 'changed'),
  unchangedKeys: (d) => diffKeys(d, 'unchanged'),
  affectedKeys: (d) => diffKeys(d, 'affected'),
};

/** `v in x` [R.List][R.Map][R.Set]. */
export function contains(v: RVal, coll: RVal): boolean {
  if (Array.isArray(coll)) {
    for (const x of coll) if (eq(x, v)) return true;
    return false;
  }
  if (coll instanceof RMap) {
    if (typeof v !== 'string') throw new EvalError('Map keys are strings: invalid key for in.');
    return coll.has(v);
  }
  if (coll instanceof RSet) return coll.has(v);
  return badArg('in', 'list, map or set', coll);
}
