/**
 * Compile-time checks and name resolution. The official compiler refuses rules with unknown
 * functions/variables, wrong arity, recursion and bad paths, so the emulators can refuse them
 * too. Limits come from the [RS] "Security rule limits" table: 7 arguments, 10 `let`s,
 * recursion depth 0, nested match depth 10, 20 capture variables, 100 path segments;
 * `let` needs rules_version 2 [RL]; `{x=**}` placement per version [RL][RS].
 */
import type { RulesCompileIssue } from './api.js';
import type { Expr, FunctionDecl, MatchBlock, Pos, RulesFile } from './ast.js';
import { RulesCompileError } from './errors.js';
import { FIRESTORE_ACCESS, GLOBAL_ARITY, METHOD_ARITY, NAMESPACES } from './stdlib/index.js';

export const TYPE_NAMES = new Set([
  'bool',
  'int',
  'float',
  'number',
  'string',
  'list',
  'map',
  'timestamp',
  'duration',
  'path',
  'latlng',
  'bytes',
  'set',
  'map_diff',
  'constraint',
  'null',
]);

const METHODS = new Set(['read', 'write', 'get', 'list', 'create', 'update', 'delete']);
export const MAX_ARGS = 7;
export const MAX_LETS = 10;

interface Scope {
  parent?: Scope;
  functions: Map<string, FunctionDecl>;
  captures: Map<string, number>;
}

interface Env {
  scope: Scope;
  locals?: Map<string, number>;
  self?: FunctionDecl;
  /** Inside a path literal's `$(…)`: unknown bare names become `bind()` placeholders [R.Path]. */
  inPath?: boolean;
}

export interface CheckResult {
  functions: FunctionDecl[];
  /** Number of capture slots the deepest match chain needs. */
  captureSlots: number;
}

export function check(file: RulesFile): CheckResult {
  const issues: RulesCompileIssue[] = [];
  const err = (p: Pos, message: string) => issues.push({ line: p.line, column: p.column, message });
  const functions: FunctionDecl[] = [];
  const calls = new Map<FunctionDecl, { to: FunctionDecl; at: Pos }[]>();
  let captureSlots = 0;

  const declare = (scope: Scope, fns: FunctionDecl[]) => {
    for (const f of fns) {
      if (scope.functions.has(f.name)) err(f, `Function '${f.name}' is already defined in this scope.`);
      scope.functions.set(f.name, f);
      f.id = functions.length;
      functions.push(f);
    }
  };

  const lookupFn = (scope: Scope | undefined, name: string): FunctionDecl | undefined => {
    for (let s = scope; s; s = s.parent) {
      const f = s.functions.get(name);
      if (f) return f;
    }
    return undefined;
  };
  const lookupCapture = (scope: Scope | undefined, name: string): number | undefined => {
    for (let s = scope; s; s = s.parent) {
      const c = s.captures.get(name);
      if (c !== undefined) return c;
    }
    return undefined;
  };
  const isVariable = (env: Env, name: string) =>
    env.locals?.has(name) ||
    lookupCapture(env.scope, name) !== undefined ||
    name === 'request' ||
    name === 'resource';

  const expr = (e: Expr, env: Env): void => {
    switch (e.k) {
      case 'lit':
        return;
      case 'ident': {
        const local = env.locals?.get(e.name);
        if (local !== undefined) e.ref = { kind: 'local', index: local };
        else {
          const cap = lookupCapture(env.scope, e.name);
          if (cap !== undefined) e.ref = { kind: 'capture', index: cap };
          else if (e.name === 'request' || e.name === 'resource') e.ref = { kind: 'global', name: e.name };
          else if (env.inPath) e.ref = { kind: 'placeholder' };
          else err(e, `Unknown variable '${e.name}'.`);
        }
        return;
      }
      case 'member':
        if (e.obj.k === 'ident' && NAMESPACES.has(e.obj.name) && !isVariable(env, e.obj.name)) {
          err(e, `Unknown member '${e.obj.name}.${e.name}'.`);
          return;
        }
        expr(e.obj, { ...env, inPath: false });
        return;
      case 'index':
        expr(e.obj, env);
        expr(e.index, env);
        return;
      case 'slice':
        expr(e.obj, env);
        if (e.lo) expr(e.lo, env);
        if (e.hi) expr(e.hi, env);
        return;
      case 'call': {
        const inner = { ...env, inPath: false };
        for (const a of e.args) expr(a, inner);
        const fn = lookupFn(env.scope, e.name);
        if (fn) {
          e.fn = fn;
          if (fn.params.length !== e.args.length) {
            err(e, `Function '${e.name}' expects ${fn.params.length} argument(s) but got ${e.args.length}.`);
          }
          if (env.self) {
            const list = calls.get(env.self) ?? [];
            list.push({ to: fn, at: e });
            calls.set(env.self, list);
          }
          return;
        }
        const arity =
          GLOBAL_ARITY.get(e.name) ??
          (file.service === 'cloud.firestore' ? FIRESTORE_ACCESS.get(e.name) : undefined);
        if (arity === undefined) err(e, `Unknown function '${e.name}'.`);
        else if (arity !== e.args.length) {
          err(e, `Function '${e.name}' expects ${arity} argument(s) but got ${e.args.length}.`);
        }
        return;
      }
      case 'mcall': {
        const inner = { ...env, inPath: false };
        for (const a of e.args) expr(a, inner);
        if (e.obj.k === 'ident' && !isVariable(env, e.obj.name)) {
          if (e.obj.name === 'firestore' && file.service === 'cloud.firestore') {
            err(
              e.obj,
              `'firestore.${e.name}' is only available in Storage rules; Firestore rules call ${e.name}() directly.`,
            );
            return;
          }
          const ns = NAMESPACES.get(e.obj.name);
          if (ns && (e.obj.name !== 'firestore' || file.service === 'firebase.storage')) {
            const f = ns.get(e.name);
            if (!f) err(e, `Unknown function '${e.obj.name}.${e.name}'.`);
            else if (f.arity !== e.args.length) {
              err(
                e,
                `Function '${e.obj.name}.${e.name}' expects ${f.arity} argument(s) but got ${e.args.length}.`,
              );
            }
            e.ns = e.obj.name;
            return;
          }
        }
        expr(e.obj, inner);
        const arity = METHOD_ARITY.get(e.name);
        if (arity === undefined) err(e, `Unknown method '${e.name}'.`);
        else if (arity !== e.args.length) {
          err(e, `Method '${e.name}' expects ${arity} argument(s) but got ${e.args.length}.`);
        }
        return;
      }
      case 'unary':
        expr(e.e, env);
        return;
      case 'binary':
        expr(e.l, env);
        expr(e.r, env);
        return;
      case 'cond':
        expr(e.c, env);
        expr(e.t, env);
        expr(e.f, env);
        return;
      case 'is':
        if (!TYPE_NAMES.has(e.type)) err(e, `Unknown type '${e.type}'.`);
        expr(e.e, env);
        return;
      case 'list':
        for (const it of e.items) expr(it, env);
        return;
      case 'map':
        for (const [k, v] of e.entries) {
          expr(k, env);
          expr(v, env);
        }
        return;
      case 'path':
        for (const p of e.parts) if ('expr' in p) expr(p.expr, { ...env, inPath: p.expr.k === 'ident' });
        return;
    }
  };

  const fnBody = (f: FunctionDecl, scope: Scope) => {
    if (f.params.length > MAX_ARGS)
      err(f, `Function '${f.name}' has ${f.params.length} parameters; the limit is ${MAX_ARGS}.`);
    if (f.lets.length > MAX_LETS)
      err(f, `Function '${f.name}' has ${f.lets.length} let bindings; the limit is ${MAX_LETS}.`);
    if (f.lets.length > 0 && file.version !== '2')
      err(f.lets[0] as Pos, "'let' bindings require rules_version = '2'.");
    const locals = new Map<string, number>();
    for (const p of f.params) {
      if (locals.has(p)) err(f, `Duplicate parameter '${p}'.`);
      locals.set(p, locals.size);
    }
    const env: Env = { scope, locals, self: f };
    for (const l of f.lets) {
      expr(l.expr, env);
      if (locals.has(l.name)) err(l, `Variable '${l.name}' is already defined.`);
      locals.set(l.name, locals.size);
    }
    expr(f.ret, env);
  };

  const matchBlock = (m: MatchBlock, parent: Scope, depth: number, base: number, segCount: number) => {
    if (depth > 10) err(m, 'Match statements may be nested at most 10 deep.');
    const scope: Scope = { parent, functions: new Map(), captures: new Map() };
    let globs = 0;
    let slot = base;
    for (const [i, seg] of m.pattern.entries()) {
      if (seg.kind === 'lit') continue;
      if (seg.kind === 'glob') {
        globs++;
        if (globs > 1) err(seg, 'Only one recursive wildcard {name=**} is allowed per match path.');
        if (file.version === '1' && i !== m.pattern.length - 1) {
          err(seg, "In rules_version '1' a recursive wildcard {name=**} must be the last path segment.");
        }
      }
      scope.captures.set(seg.name, slot++);
    }
    if (slot > 20) err(m, 'A match path may bind at most 20 variables.');
    const segs = segCount + m.pattern.length;
    if (segs > 100) err(m, 'A match path may have at most 100 segments.');
    captureSlots = Math.max(captureSlots, slot);
    declare(scope, m.functions);
    for (const f of m.functions) fnBody(f, scope);
    for (const a of m.allows) {
      for (const meth of a.methods) if (!METHODS.has(meth.name)) err(meth, `Unknown method '${meth.name}'.`);
      if (a.cond) expr(a.cond, { scope });
    }
    for (const c of m.matches) matchBlock(c, scope, depth + 1, slot, segs);
  };

  const root: Scope = { functions: new Map(), captures: new Map() };
  declare(root, file.functions);
  for (const f of file.functions) fnBody(f, root);
  for (const m of file.matches) matchBlock(m, root, 1, 0, 0);

  // Recursion is not permitted, directly or through a cycle [RS].
  const state = new Map<FunctionDecl, 1 | 2>();
  const visit = (f: FunctionDecl, stack: FunctionDecl[]) => {
    state.set(f, 1);
    for (const { to, at } of calls.get(f) ?? []) {
      const st = state.get(to);
      if (st === 1) {
        const chain =
          to === f
            ? `'${to.name}' calls itself`
            : [...stack.slice(stack.indexOf(to)), f, to].map((x) => x.name).join(' -> ');
        err(at, `Recursive function call is not allowed: ${chain}.`);
      } else if (st === undefined) {
        visit(to, [...stack, f]);
      }
    }
    state.set(f, 2);
  };
  for (const f of functions) if (!state.has(f)) visit(f, []);

  if (issues.length) {
    issues.sort((a, b) => a.line - b.line || a.column - b.column);
    throw new RulesCompileError(issues);
  }
  return { functions, captureSlots };
}
