/**
 * Runtime values of the rules language and the operations every module shares
 * (type names, equality, ordering). Representation is chosen for speed:
 * int = bigint (signed 64-bit is checked on every arithmetic result), float = number,
 * string/bool/null = JS primitives, list = JS array, bytes = Uint8Array; the rest are
 * small classes. [R] lists the types; [FT-S expressionValue.ts] the wire model.
 */

export type RVal =
  | null
  | boolean
  | bigint
  | number
  | string
  | Uint8Array
  | RVal[]
  | RMap
  | RSet
  | RMapDiff
  | RPath
  | RTimestamp
  | RDuration
  | RLatLng
  | RConstraintMap
  | RBounded;

/**
 * An evaluation error. Deliberately not an `Error`: errors are ordinary control flow in
 * rules (`false && error` is false, [SREF] error table), so we skip stack capture.
 */
export class EvalError {
  /** Where the failing sub-expression starts (0 until the evaluator tags it). */
  line = 0;
  column = 0;
  constructor(readonly message: string) {}
}

/** Aborts the whole request (limits whose excess means "permission denied", [RS] limits table). */
export class FatalEvalError {
  constructor(readonly message: string) {}
}

export const INT_MAX = 9223372036854775807n;
export const INT_MIN = -9223372036854775808n;

export function checkInt(v: bigint): bigint {
  if (v > INT_MAX || v < INT_MIN) throw new EvalError('Integer overflow error.');
  return v;
}

/** A computed map (e.g. `request`), answering keys on demand. */
export abstract class MapSource {
  abstract get(k: string): RVal | undefined;
  abstract keys(): string[];
}

/** A map. Lazily converts entries from their source so large documents cost only what rules read. */
export class RMap {
  private cache: Map<string, RVal> | undefined;
  constructor(
    private readonly src: Map<string, RVal> | Record<string, unknown> | MapSource,
    private readonly conv?: (v: unknown) => RVal,
  ) {}
  static of(entries: Map<string, RVal>): RMap {
    return new RMap(entries);
  }
  get(k: string): RVal | undefined {
    const src = this.src;
    if (src instanceof Map) return src.get(k);
    if (src instanceof MapSource) return src.get(k);
    if (this.cache?.has(k)) return this.cache.get(k);
    if (!Object.hasOwn(src, k)) return undefined;
    const raw = src[k];
    if (raw === undefined) return undefined;
    const v = this.conv ? this.conv(raw) : (raw as RVal);
    if (!this.cache) this.cache = new Map();
    this.cache.set(k, v);
    return v;
  }
  has(k: string): boolean {
    const src = this.src;
    if (src instanceof Map) return src.has(k);
    if (src instanceof MapSource) return src.get(k) !== undefined;
    return Object.hasOwn(src, k) && src[k] !== undefined;
  }
  keys(): string[] {
    const src = this.src;
    if (src instanceof Map) return [...src.keys()];
    if (src instanceof MapSource) return src.keys();
    return Object.keys(src).filter((k) => src[k] !== undefined);
  }
  get size(): number {
    return this.keys().length;
  }
}

/**
 * Membership index with set semantics (numbers compare by value [HID]). Strings — the usual
 * content of keys lists, tags and roles — are hashed, so `hasAll`/`hasOnly` on large lists stay
 * linear; other values fall back to a scan.
 */
export class ValueIndex {
  private readonly strings = new Set<string>();
  private readonly others: RVal[] = [];
  constructor(items: readonly RVal[] = []) {
    for (const v of items) this.add(v);
  }
  /** Adds `v`; returns false if an equal value was already present. */
  add(v: RVal): boolean {
    if (this.has(v)) return false;
    if (typeof v === 'string') this.strings.add(v);
    else this.others.push(v);
    return true;
  }
  has(v: RVal): boolean {
    if (typeof v === 'string') return this.strings.has(v);
    for (const o of this.others) if (eq(o, v, true, true)) return true;
    return false;
  }
}

/** A set (from `list.toSet()` or MapDiff accessors; no literal). [R.Set] */
export class RSet {
  private index: ValueIndex | undefined;
  constructor(readonly items: RVal[]) {}
  static from(items: readonly RVal[]): RSet {
    const idx = new ValueIndex();
    const out: RVal[] = [];
    for (const v of items) if (idx.add(v)) out.push(v);
    const s = new RSet(out);
    s.index = idx;
    return s;
  }
  has(v: RVal): boolean {
    this.index ??= new ValueIndex(this.items);
    return this.index.has(v);
  }
}

/** Result of `map.diff(other)`. [R.MapDiff] */
export class RMapDiff {
  constructor(
    readonly left: RMap,
    readonly right: RMap,
  ) {}
}

/**
 * A path. `placeholders[i]` names an unbound `$(name)` segment that `bind()` fills. [R.Path]
 */
export class RPath {
  constructor(
    readonly segs: string[],
    readonly placeholders?: (string | undefined)[],
  ) {}
  toString(): string {
    return '/' + this.segs.map((s, i) => (this.placeholders?.[i] ? `$(${s})` : s)).join('/');
  }
}

/** Nanoseconds since the Unix epoch. [R.Timestamp] */
export class RTimestamp {
  constructor(readonly ns: bigint) {}
}

/** A signed duration in nanoseconds. [R.Duration] */
export class RDuration {
  constructor(readonly ns: bigint) {}
}

export class RLatLng {
  constructor(
    readonly lat: number,
    readonly lng: number,
  ) {}
}

/**
 * `resource.data` (or a nested map of it) during a `list` evaluation: only fields pinned by
 * an `==` query constraint are known; everything else about the unknown documents is an
 * error, so a rule that depends on it denies ("rules are not filters", [RQ]).
 */
export class RConstraintMap {
  constructor(
    readonly known: ReadonlyMap<string, RVal>,
    readonly prefix: string,
  ) {}
}

/** A bound a list query puts on a field without pinning it ([FT-S] constraint comparators). */
export interface Bound {
  op: '!=' | '<' | '<=' | '>' | '>=' | 'array-contains';
  value: RVal;
}

/**
 * A `resource.data` field during a `list` evaluation that the query bounds (`<`, `!=`,
 * `array-contains`, …) but does not pin: a comparison is known only where the bounds decide it
 * for every document the query can return ("Rules are not filters", [RQ]); anything else about
 * the field is an error, so a rule that depends on it denies.
 */
export class RBounded {
  constructor(readonly bounds: readonly Bound[]) {}
}

export const NS_PER_SEC = 1_000_000_000n;
export const TS_MIN_NS = -62135596800n * NS_PER_SEC; // 0001-01-01T00:00:00Z
export const TS_MAX_NS = 253402300799n * NS_PER_SEC + 999_999_999n; // 9999-12-31T23:59:59.999999999Z
export const DUR_MAX_NS = 315_576_000_000n * NS_PER_SEC + 999_999_999n;

export function mkTimestamp(ns: bigint): RTimestamp {
  if (ns < TS_MIN_NS || ns > TS_MAX_NS) throw new EvalError('Timestamp out of range.');
  return new RTimestamp(ns);
}

export function mkDuration(ns: bigint): RDuration {
  if (ns > DUR_MAX_NS || ns < -DUR_MAX_NS) throw new EvalError('Duration out of range.');
  return new RDuration(ns);
}

export function typeName(v: RVal): string {
  if (v === null) return 'null';
  switch (typeof v) {
    case 'boolean':
      return 'bool';
    case 'bigint':
      return 'int';
    case 'number':
      return 'float';
    case 'string':
      return 'string';
  }
  if (Array.isArray(v)) return 'list';
  if (v instanceof Uint8Array) return 'bytes';
  if (v instanceof RMap || v instanceof RConstraintMap) return 'map';
  if (v instanceof RSet) return 'set';
  if (v instanceof RMapDiff) return 'map_diff';
  if (v instanceof RPath) return 'path';
  if (v instanceof RTimestamp) return 'timestamp';
  if (v instanceof RDuration) return 'duration';
  if (v instanceof RBounded) return 'constraint';
  return 'latlng';
}

function unknownData(): never {
  throw new EvalError('Unknown value: the query does not constrain this part of resource.data.');
}

/**
 * Equality. `top` enables int/float value equality (`1 == 1.0`); inside lists and maps it
 * is off, as measured on the official emulator [HID]; sets compare numbers by value [HID].
 */
export function eq(a: RVal, b: RVal, top = true, numByValue = false): boolean {
  if (a === b) return true;
  if (a instanceof RBounded) return provenDifferent(a, b, top) ? false : unknownData();
  if (b instanceof RBounded) return provenDifferent(b, a, top) ? false : unknownData();
  if (a === null || b === null) {
    if (a instanceof RConstraintMap || b instanceof RConstraintMap) return false;
    return false;
  }
  const ta = typeof a;
  const tb = typeof b;
  if (ta !== 'object' || tb !== 'object') {
    if ((top || numByValue) && (ta === 'bigint' || ta === 'number') && (tb === 'bigint' || tb === 'number')) {
      return Number(a) === Number(b) && (ta === 'number' || tb === 'number' ? true : a === b);
    }
    return false;
  }
  if (a instanceof RConstraintMap || b instanceof RConstraintMap) unknownData();
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!eq(a[i] as RVal, b[i] as RVal, false, numByValue)) return false;
    return true;
  }
  if (a instanceof Uint8Array) {
    if (!(b instanceof Uint8Array) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  }
  if (a instanceof RMap) {
    if (!(b instanceof RMap)) return false;
    const ka = a.keys();
    if (ka.length !== b.size) return false;
    for (const k of ka) {
      const bv = b.get(k);
      if (bv === undefined || !eq(a.get(k) as RVal, bv, false, numByValue)) return false;
    }
    return true;
  }
  if (a instanceof RSet) {
    if (!(b instanceof RSet) || a.items.length !== b.items.length) return false;
    return a.items.every((x) => b.has(x));
  }
  if (a instanceof RPath) {
    if (!(b instanceof RPath) || a.segs.length !== b.segs.length) return false;
    for (let i = 0; i < a.segs.length; i++) if (a.segs[i] !== b.segs[i]) return false;
    return true;
  }
  if (a instanceof RTimestamp) return b instanceof RTimestamp && a.ns === b.ns;
  if (a instanceof RDuration) return b instanceof RDuration && a.ns === b.ns;
  if (a instanceof RLatLng) return b instanceof RLatLng && a.lat === b.lat && a.lng === b.lng;
  if (a instanceof RMapDiff) {
    return b instanceof RMapDiff && eq(a.left, b.left, false, true) && eq(a.right, b.right, false, true);
  }
  return false;
}

/** Ordering for `< <= > >=`: numbers, strings, timestamps, durations [R.Integer][R.String][SREF]. */
export function compare(a: RVal, b: RVal, op: string): number {
  const ta = typeof a;
  const tb = typeof b;
  if ((ta === 'bigint' || ta === 'number') && (tb === 'bigint' || tb === 'number')) {
    if (ta === 'bigint' && tb === 'bigint') return (a as bigint) < (b as bigint) ? -1 : a === b ? 0 : 1;
    const x = Number(a);
    const y = Number(b);
    if (Number.isNaN(x) || Number.isNaN(y)) return Number.NaN;
    return x < y ? -1 : x === y ? 0 : 1;
  }
  if (ta === 'string' && tb === 'string') return (a as string) < (b as string) ? -1 : a === b ? 0 : 1;
  if (a instanceof RTimestamp && b instanceof RTimestamp) return a.ns < b.ns ? -1 : a.ns === b.ns ? 0 : 1;
  if (a instanceof RDuration && b instanceof RDuration) return a.ns < b.ns ? -1 : a.ns === b.ns ? 0 : 1;
  if (a instanceof RConstraintMap || b instanceof RConstraintMap) unknownData();
  if (a instanceof RBounded || b instanceof RBounded) unknownData();
  throw new EvalError(`Unsupported operation error. Received: ${typeName(a)} ${op} ${typeName(b)}.`);
}

/** Types that order against each other in a query (Firestore range filters match one class). */
function orderClass(v: RVal): string {
  return typeof v === 'bigint' || typeof v === 'number' ? 'number' : typeName(v);
}

/** Whether `field == v` is false for every value the bounds admit. */
function provenDifferent(field: RBounded, v: RVal, top: boolean): boolean {
  if (v instanceof RBounded || v instanceof RConstraintMap) return false;
  for (const b of field.bounds) {
    if (b.op === '!=') {
      // A != filter also leaves out documents where the field is null.
      if (v === null || eq(b.value, v, top)) return true;
    } else if (b.op === 'array-contains') {
      if (!Array.isArray(v)) return true;
    } else if (orderClass(b.value) !== orderClass(v)) {
      // A range filter only returns values of its own type, and values of other types are never equal.
      return true;
    } else if (!satisfies(v, b)) {
      return true;
    }
  }
  return false;
}

function satisfies(v: RVal, b: Bound): boolean {
  const c = compare(v, b.value, b.op);
  if (Number.isNaN(c)) return false;
  return b.op === '<' ? c < 0 : b.op === '<=' ? c <= 0 : b.op === '>' ? c > 0 : c >= 0;
}

const FLIP = { '<': '>', '<=': '>=', '>': '<', '>=': '<=' } as const;

/**
 * `a op b` where one side is a bounded field: true or false when the field's range bounds decide
 * it for every admitted value, otherwise an error. Comparing with a value of another type is the
 * same error it would be on any document the query returns.
 */
export function compareBounded(a: RVal, op: '<' | '<=' | '>' | '>=', b: RVal): boolean {
  if (!(a instanceof RBounded)) return compareBounded(b, FLIP[op], a);
  if (b instanceof RBounded || b instanceof RConstraintMap) unknownData();
  for (const bound of a.bounds) {
    if (bound.op === '!=' || bound.op === 'array-contains') continue;
    if (orderClass(bound.value) !== orderClass(b)) {
      throw new EvalError(
        `Unsupported operation error. Received: ${orderClass(bound.value)} ${op} ${typeName(b)}.`,
      );
    }
    const c = compare(bound.value, b, op); // the bound's value against the constant
    if (Number.isNaN(c)) continue;
    const w = bound.op;
    // field < w (or <= w) with w below (or at) the constant decides `<`-like tests, and so on.
    if (op === '<' && ((w === '<' && c <= 0) || (w === '<=' && c < 0))) return true;
    if (op === '<=' && (w === '<' || w === '<=') && c <= 0) return true;
    if (op === '>' && ((w === '>' && c >= 0) || (w === '>=' && c > 0))) return true;
    if (op === '>=' && (w === '>' || w === '>=') && c >= 0) return true;
    if (op === '<' && (w === '>' || w === '>=') && c >= 0) return false;
    if (op === '<=' && ((w === '>' && c >= 0) || (w === '>=' && c > 0))) return false;
    if (op === '>' && (w === '<' || w === '<=') && c <= 0) return false;
    if (op === '>=' && ((w === '<' && c <= 0) || (w === '<=' && c < 0))) return false;
  }
  return unknownData();
}

/** `x in field` where the query bounds the field with `array-contains x`. */
export function containsBounded(field: RBounded, x: RVal): boolean {
  for (const b of field.bounds) if (b.op === 'array-contains' && eq(b.value, x)) return true;
  return unknownData();
}

/** Renders a value for messages and `debug()` logs. */
export function show(v: RVal): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return JSON.stringify(v);
  if (typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  if (typeof v === 'number') return formatFloat(v);
  if (Array.isArray(v)) return `[${v.map(show).join(', ')}]`;
  if (v instanceof RMap)
    return `{${v
      .keys()
      .map((k) => `${JSON.stringify(k)}: ${show(v.get(k) as RVal)}`)
      .join(', ')}}`;
  if (v instanceof RSet) return `set(${v.items.map(show).join(', ')})`;
  if (v instanceof RPath) return v.toString();
  if (v instanceof RTimestamp) return `timestamp(${v.ns}ns)`;
  if (v instanceof RDuration) return `duration(${v.ns}ns)`;
  if (v instanceof RLatLng) return `latlng(${v.lat}, ${v.lng})`;
  if (v instanceof Uint8Array) return `b'${Buffer.from(v).toString('hex')}'`;
  return typeName(v);
}

/** Java `Double.toString`, which `string(float)` follows: `2.0`, `1.0E10`, `NaN`. [R.String] */
export function formatFloat(x: number): string {
  if (Number.isNaN(x)) return 'NaN';
  if (!Number.isFinite(x)) return x > 0 ? 'Infinity' : '-Infinity';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  const ax = Math.abs(x);
  if (ax >= 1e-3 && ax < 1e7) {
    const s = String(x);
    return s.includes('.') ? s : `${s}.0`;
  }
  const [mant = '', exp = '0'] = x.toExponential().split('e');
  const m = mant.includes('.') ? mant : `${mant}.0`;
  return `${m}E${exp.startsWith('+') ? exp.slice(1) : exp}`;
}
