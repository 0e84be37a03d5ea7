/**
 * Compiles checked expressions to closures once per ruleset, so evaluating a request is a walk
 * over pre-built functions. Error semantics follow [SREF]'s table and CEL's commutative logic
 * [CEL]: `&&`/`||` absorb an error when the other side decides the result; everything else
 * propagates it; an error reaching the top of a condition denies that allow only.
 */
import type { Expr, FunctionDecl } from './ast.js';
import { type Ctx, MAX_DEPTH, MAX_STEPS, UNBOUND } from './context.js';
import { contains } from './stdlib/collections.js';
import { callConversion, callMethod, NAMESPACES } from './stdlib/index.js';
import { matches, regex, replace, split } from './stdlib/strings.js';
import {
  checkInt,
  compare,
  compareBounded,
  containsBounded,
  EvalError,
  eq,
  FatalEvalError,
  INT_MIN,
  mkDuration,
  mkTimestamp,
  RBounded,
  RConstraintMap,
  RDuration,
  RMap,
  RPath,
  RTimestamp,
  type RVal,
  typeName,
} from './values.js';

export type Fn = (c: Ctx, f: RVal[]) => RVal;
type UserFn = (c: Ctx, args: RVal[]) => RVal;

const EMPTY: RVal[] = [];

function step(c: Ctx): void {
  if (++c.steps > MAX_STEPS)
    throw new FatalEvalError(`Exceeded maximum of ${MAX_STEPS} expressions evaluated.`);
}

function unsupported(a: RVal, op: string, b: RVal): never {
  throw new EvalError(`Unsupported operation error. Received: ${typeName(a)} ${op} ${typeName(b)}.`);
}

function isNum(v: RVal): v is bigint | number {
  return typeof v === 'bigint' || typeof v === 'number';
}

/** Arithmetic [R.Integer][R.Float][SREF]: int results are checked for 64-bit overflow. */
export function arith(op: string, a: RVal, b: RVal): RVal {
  if (typeof a === 'bigint' && typeof b === 'bigint') {
    switch (op) {
      case '+':
        return checkInt(a + b);
      case '-':
        return checkInt(a - b);
      case '*':
        return checkInt(a * b);
      case '/':
        if (b === 0n) throw new EvalError('Division by zero.');
        if (a === INT_MIN && b === -1n) throw new EvalError('Integer overflow error.');
        return a / b; // truncates toward zero, as CEL [CEL]
      case '%':
        if (b === 0n) throw new EvalError('Modulo by zero.');
        return b === -1n ? 0n : a % b; // sign of the dividend [CEL]
    }
  }
  if (isNum(a) && isNum(b)) {
    const x = Number(a);
    const y = Number(b);
    switch (op) {
      case '+':
        return x + y;
      case '-':
        return x - y;
      case '*':
        return x * y;
      case '/':
        return x / y; // IEEE-754 for floats [CEL]
      case '%':
        return x % y;
    }
  }
  if (op === '+') {
    if (typeof a === 'string' && typeof b === 'string') return a + b;
    if (a instanceof RTimestamp && b instanceof RDuration) return mkTimestamp(a.ns + b.ns);
    if (a instanceof RDuration && b instanceof RTimestamp) return mkTimestamp(a.ns + b.ns);
    if (a instanceof RDuration && b instanceof RDuration) return mkDuration(a.ns + b.ns);
  }
  if (op === '-') {
    if (a instanceof RTimestamp && b instanceof RDuration) return mkTimestamp(a.ns - b.ns);
    if (a instanceof RTimestamp && b instanceof RTimestamp) return mkDuration(a.ns - b.ns);
    if (a instanceof RDuration && b instanceof RDuration) return mkDuration(a.ns - b.ns);
  }
  return unsupported(a, op, b);
}

/** `x is type` [RL][RF]. */
export function isType(v: RVal, type: string): boolean {
  if (v instanceof RBounded) {
    throw new EvalError('Unknown value: the query bounds this field but does not fix its type.');
  }
  if (type === 'number') return isNum(v);
  if (type === 'constraint') return false;
  return typeName(v) === type;
}

/** `a.b` on a map (or the list-query constraint map). Missing keys are errors [RF][SREF]. */
function member(v: RVal, name: string): RVal {
  if (v instanceof RMap) {
    const r = v.get(name);
    if (r === undefined) throw new EvalError(`Property ${name} is undefined on object.`);
    return r;
  }
  if (v === null) throw new EvalError('Null value error.');
  if (v instanceof RConstraintMap) return constrained(v, name);
  throw new EvalError(`Property ${name} is undefined on ${typeName(v)}.`);
}

function constrained(v: RConstraintMap, name: string): RVal {
  const key = v.prefix + name;
  const known = v.known.get(key);
  if (known !== undefined) return known;
  const sub = `${key}.`;
  for (const k of v.known.keys()) if (k.startsWith(sub)) return new RConstraintMap(v.known, sub);
  throw new EvalError(
    `Property ${name} is not constrained by the query; rules are not filters, so it is unknown for list.`,
  );
}

function checkIndex(i: RVal, len: number): number {
  if (typeof i !== 'bigint') throw new EvalError(`Index must be an int, received ${typeName(i)}.`);
  if (i < 0n || i >= BigInt(len)) throw new EvalError(`Index ${i} out of range.`);
  return Number(i);
}

function index(v: RVal, i: RVal): RVal {
  if (Array.isArray(v)) return v[checkIndex(i, v.length)] as RVal;
  if (v instanceof RMap || v instanceof RConstraintMap || v === null) {
    if (typeof i !== 'string' && v !== null)
      throw new EvalError(`Map keys are strings, received ${typeName(i)}.`);
    return member(v, i as string);
  }
  if (typeof v === 'string') return v[checkIndex(i, v.length)] as string;
  if (v instanceof RPath) return v.segs[checkIndex(i, v.segs.length)] as string;
  throw new EvalError(`Unsupported operation error. Received: ${typeName(v)}[${typeName(i)}].`);
}

function slice(v: RVal, lo: RVal | undefined, hi: RVal | undefined): RVal {
  if (!Array.isArray(v) && typeof v !== 'string') {
    throw new EvalError(`Unsupported operation error. Received: ${typeName(v)}[:].`);
  }
  const len = BigInt(v.length);
  const a = lo === undefined ? 0n : lo;
  const b = hi === undefined ? len : hi;
  if (typeof a !== 'bigint' || typeof b !== 'bigint') throw new EvalError('Range bounds must be ints.');
  if (a < 0n || b > len || a > b) throw new EvalError(`Range [${a}:${b}] out of bounds.`);
  return v.slice(Number(a), Number(b));
}

function bool(v: RVal, what: string): boolean {
  if (typeof v !== 'boolean') throw new EvalError(`${what} expects bool, received ${typeName(v)}.`);
  return v;
}

/** Runs `f`, returning the EvalError instead of throwing it; other throwables propagate. */
function attempt(fn: Fn, c: Ctx, f: RVal[]): RVal | EvalError {
  try {
    return fn(c, f);
  } catch (e) {
    if (e instanceof EvalError) return e;
    throw e;
  }
}

export class Compiler {
  private readonly userFns: UserFn[] = [];

  constructor(functions: FunctionDecl[]) {
    for (const fd of functions) this.userFns[fd.id] = this.compileFunction(fd);
  }

  private compileFunction(fd: FunctionDecl): UserFn {
    const np = fd.params.length;
    const size = np + fd.lets.length;
    const lets = fd.lets.map((l) => this.expr(l.expr));
    const ret = this.expr(fd.ret);
    return (c, args) => {
      if (c.depth >= MAX_DEPTH) throw new EvalError(`Exceeded maximum function call depth of ${MAX_DEPTH}.`);
      c.depth++;
      try {
        const frame = args.length === size ? args : args.concat(new Array(size - np).fill(null));
        // `let` is evaluated eagerly [RL].
        for (let i = 0; i < lets.length; i++) frame[np + i] = (lets[i] as Fn)(c, frame);
        return ret(c, frame);
      } finally {
        c.depth--;
      }
    };
  }

  condition(e: Expr): Fn {
    const fn = this.expr(e);
    return (c) => fn(c, EMPTY);
  }

  /** Compiles `e`; errors raised by this node itself are tagged with its position. */
  expr(e: Expr): Fn {
    const fn = this.node(e);
    const passThrough =
      e.k === 'lit' ||
      e.k === 'list' ||
      e.k === 'map' ||
      e.k === 'is' ||
      (e.k === 'ident' && e.ref?.kind !== 'capture') ||
      (e.k === 'binary' && (e.op === '&&' || e.op === '||'));
    if (passThrough) return fn;
    const { line, column } = e;
    return (c, f) => {
      try {
        return fn(c, f);
      } catch (x) {
        if (x instanceof EvalError && x.line === 0) {
          x.line = line;
          x.column = column;
        }
        throw x;
      }
    };
  }

  private node(e: Expr): Fn {
    switch (e.k) {
      case 'lit': {
        const v = e.v;
        return () => v;
      }
      case 'ident':
        return this.ident(e);
      case 'member': {
        const obj = this.expr(e.obj);
        const name = e.name;
        return (c, f) => {
          step(c);
          return member(obj(c, f), name);
        };
      }
      case 'index': {
        const obj = this.expr(e.obj);
        const ix = this.expr(e.index);
        return (c, f) => {
          step(c);
          const o = obj(c, f);
          return index(o, ix(c, f));
        };
      }
      case 'slice': {
        const obj = this.expr(e.obj);
        const lo = e.lo ? this.expr(e.lo) : undefined;
        const hi = e.hi ? this.expr(e.hi) : undefined;
        return (c, f) => {
          step(c);
          const o = obj(c, f);
          return slice(o, lo?.(c, f), hi?.(c, f));
        };
      }
      case 'call':
        return this.call(e);
      case 'mcall':
        return this.mcall(e);
      case 'unary': {
        const x = this.expr(e.e);
        if (e.op === '!') {
          // Negation does not absorb errors [HID][PY].
          return (c, f) => !bool(x(c, f), '!');
        }
        return (c, f) => {
          const v = x(c, f);
          if (typeof v === 'bigint') return checkInt(-v);
          if (typeof v === 'number') return -v;
          if (v instanceof RDuration) return new RDuration(-v.ns);
          throw new EvalError(`Unsupported operation error. Received: -${typeName(v)}.`);
        };
      }
      case 'binary':
        return this.binary(e.op, this.expr(e.l), this.expr(e.r));
      case 'cond': {
        const cf = this.expr(e.c);
        const t = this.expr(e.t);
        const fl = this.expr(e.f);
        return (c, f) => (bool(cf(c, f), 'Ternary condition') ? t(c, f) : fl(c, f));
      }
      case 'is': {
        const x = this.expr(e.e);
        const type = e.type;
        return (c, f) => isType(x(c, f), type);
      }
      case 'list': {
        const items = e.items.map((i) => this.expr(i));
        return (c, f) => items.map((i) => i(c, f));
      }
      case 'map': {
        const entries = e.entries.map(([k, v]) => [this.expr(k), this.expr(v)] as const);
        return (c, f) => {
          const m = new Map<string, RVal>();
          for (const [k, v] of entries) {
            const key = k(c, f);
            if (typeof key !== 'string')
              throw new EvalError(`Map keys must be strings, received ${typeName(key)}.`);
            m.set(key, v(c, f));
          }
          return RMap.of(m);
        };
      }
      case 'path':
        return this.path(e);
    }
  }

  private ident(e: Extract<Expr, { k: 'ident' }>): Fn {
    const ref = e.ref;
    if (!ref) throw new Error(`unresolved identifier ${e.name}`);
    switch (ref.kind) {
      case 'local': {
        const i = ref.index;
        return (_c, f) => f[i] as RVal;
      }
      case 'capture': {
        const i = ref.index;
        return (c) => {
          const v = c.captures[i];
          // A wildcard that absorbed a list query's unknown document id is unbound [HID paths].
          if (v === UNBOUND || v === undefined) throw new EvalError('Null value error.');
          return v as RVal;
        };
      }
      case 'global':
        return ref.name === 'request' ? (c) => c.request() : (c) => c.resource();
      case 'placeholder': {
        const name = e.name;
        return () => new RPath([name], [name]);
      }
    }
  }

  private call(e: Extract<Expr, { k: 'call' }>): Fn {
    const args = e.args.map((a) => this.expr(a));
    if (e.fn) {
      const id = e.fn.id;
      const table = this.userFns;
      return (c, f) => {
        step(c);
        const vals = new Array<RVal>(args.length);
        for (let i = 0; i < args.length; i++) vals[i] = (args[i] as Fn)(c, f);
        return (table[id] as UserFn)(c, vals);
      };
    }
    const name = e.name;
    const a0 = args[0] as Fn;
    if (name === 'debug') return (c, f) => c.debug(a0(c, f));
    if (name === 'get' || name === 'exists' || name === 'getAfter' || name === 'existsAfter') {
      return (c, f) => {
        step(c);
        return c.access(name, a0(c, f));
      };
    }
    return (c, f) => {
      step(c);
      return callConversion(name, a0(c, f));
    };
  }

  private mcall(e: Extract<Expr, { k: 'mcall' }>): Fn {
    const args = e.args.map((a) => this.expr(a));
    const name = e.name;
    if (e.ns) {
      const ns = e.ns;
      if (ns === 'firestore') {
        const a0 = args[0] as Fn;
        const fname = `firestore.${name}`;
        return (c, f) => {
          step(c);
          return c.access(fname, a0(c, f));
        };
      }
      const impl = NAMESPACES.get(ns)?.get(name)?.fn;
      if (!impl) throw new Error(`unknown namespace function ${ns}.${name}`);
      return (c, f) => {
        step(c);
        return impl(...args.map((a) => a(c, f)));
      };
    }
    const obj = this.expr(e.obj);
    // A literal pattern is compiled once, on first use (keeping compileRules fast), not per request.
    const pat = e.args[0];
    if (
      (name === 'matches' || name === 'split' || name === 'replace') &&
      pat?.k === 'lit' &&
      typeof pat.v === 'string'
    ) {
      const source = pat.v;
      let fixed: ReturnType<typeof regex> | undefined;
      const sub = args[1];
      return (c, f) => {
        step(c);
        const recv = obj(c, f);
        if (typeof recv !== 'string')
          return callMethod(
            recv,
            name,
            args.map((a) => a(c, f)),
          );
        fixed ??= regex(source);
        if (name === 'matches') return matches(recv, fixed);
        if (name === 'split') return split(recv, fixed);
        const s = (sub as Fn)(c, f);
        if (typeof s !== 'string') {
          throw new EvalError(
            `Invalid argument for string.replace: expected string, received ${typeName(s)}.`,
          );
        }
        return replace(recv, fixed, s);
      };
    }
    if (args.length === 0) {
      return (c, f) => {
        step(c);
        return callMethod(obj(c, f), name, EMPTY);
      };
    }
    return (c, f) => {
      step(c);
      const recv = obj(c, f);
      const vals = new Array<RVal>(args.length);
      for (let i = 0; i < args.length; i++) vals[i] = (args[i] as Fn)(c, f);
      return callMethod(recv, name, vals);
    };
  }

  private binary(op: string, l: Fn, r: Fn): Fn {
    switch (op) {
      case '&&':
        return (c, f) => {
          const a = attempt(l, c, f);
          if (a === false) return false;
          if (a === true) return bool(r(c, f), '&&');
          // Left errored (or is not a bool): the right side can still make the result false.
          const err = a instanceof EvalError ? a : new EvalError(`&& expects bool, received ${typeName(a)}.`);
          const b = attempt(r, c, f);
          if (b === false) return false;
          throw err;
        };
      case '||':
        return (c, f) => {
          const a = attempt(l, c, f);
          if (a === true) return true;
          if (a === false) return bool(r(c, f), '||');
          const err = a instanceof EvalError ? a : new EvalError(`|| expects bool, received ${typeName(a)}.`);
          const b = attempt(r, c, f);
          if (b === true) return true;
          throw err;
        };
      case '==':
        return (c, f) => {
          step(c);
          const a = l(c, f);
          return eq(a, r(c, f));
        };
      case '!=':
        return (c, f) => {
          step(c);
          const a = l(c, f);
          return !eq(a, r(c, f));
        };
      case '<':
      case '<=':
      case '>':
      case '>=': {
        const test =
          op === '<'
            ? (n: number) => n < 0
            : op === '<='
              ? (n: number) => n <= 0
              : op === '>'
                ? (n: number) => n > 0
                : (n: number) => n >= 0;
        return (c, f) => {
          step(c);
          const a = l(c, f);
          const b = r(c, f);
          if (a instanceof RBounded || b instanceof RBounded) return compareBounded(a, op, b);
          return test(compare(a, b, op));
        };
      }
      case 'in':
        return (c, f) => {
          step(c);
          const a = l(c, f);
          const b = r(c, f);
          if (b instanceof RConstraintMap)
            throw new EvalError('Unknown value: the query does not constrain resource.data keys.');
          if (b instanceof RBounded) return containsBounded(b, a);
          return contains(a, b);
        };
      default:
        return (c, f) => {
          step(c);
          const a = l(c, f);
          return arith(op, a, r(c, f));
        };
    }
  }

  private path(e: Extract<Expr, { k: 'path' }>): Fn {
    if (e.parts.every((p) => 'text' in p)) {
      const v = new RPath(e.parts.map((p) => ('text' in p ? p.text : '')));
      return () => v;
    }
    const parts = e.parts.map((p) => ('text' in p ? p.text : this.expr(p.expr)));
    return (c, f) => {
      const segs: string[] = [];
      let ph: (string | undefined)[] | undefined;
      for (const p of parts) {
        if (typeof p === 'string') {
          segs.push(p);
          continue;
        }
        const v = p(c, f);
        if (typeof v === 'string') segs.push(v);
        else if (typeof v === 'bigint') segs.push(String(v));
        else if (v instanceof RPath) {
          if (v.placeholders) {
            ph ??= [];
            for (let i = 0; i < v.segs.length; i++) ph[segs.length + i] = v.placeholders[i];
          }
          segs.push(...v.segs);
        } else throw new EvalError(`Path segments must be strings, received ${typeName(v)}.`);
      }
      return new RPath(segs, ph);
    };
  }
}
