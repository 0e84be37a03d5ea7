/**
 * A compiled ruleset and the decision procedure [RL][RS][SCS]: find every complete match of
 * the request path, evaluate the `allow`s whose method covers the request (read = get + list,
 * write = create + update + delete), grant if any is true. An erroring condition denies only
 * itself.
 */
import type { AllowOutcome, Decision, RulesMethod, RulesRequest } from './api.js';
import type { MatchBlock, RulesFile } from './ast.js';
import { check } from './checker.js';
import { Ctx, type DocCache, failure, knownFields, NeedAsync, type Service } from './context.js';
import { Compiler, type Fn } from './evaluator.js';
import { denialMessage, grantMessage } from './explain.js';
import { type CompiledPattern, matchPattern, splitPath, UNKNOWN_ID, UNKNOWN_PREFIX } from './paths.js';
import { EvalError, FatalEvalError, RPath, type RVal } from './values.js';

interface CAllow {
  line: number;
  column: number;
  label: string;
  covers: ReadonlySet<RulesMethod>;
  cond?: Fn;
}

interface CMatch {
  id: number;
  pat: CompiledPattern;
  allows: CAllow[];
  children: CMatch[];
}

const EXPAND: Record<string, RulesMethod[]> = {
  read: ['get', 'list'],
  write: ['create', 'update', 'delete'],
  get: ['get'],
  list: ['list'],
  create: ['create'],
  update: ['update'],
  delete: ['delete'],
};

export interface CompiledRuleset {
  readonly service: 'cloud.firestore' | 'firebase.storage';
  readonly version: '1' | '2';
  /** Synchronous accessors only: throws an Error if an accessor returns a Promise. */
  evaluate(req: RulesRequest): Decision;
  /** Accepts async accessors. */
  evaluateAsync(req: RulesRequest): Promise<Decision>;
}

/** A limit was exceeded: the whole request is denied, reporting the allow that hit it. */
class Stop {
  constructor(readonly outcome: AllowOutcome) {}
}

export class Ruleset implements CompiledRuleset {
  readonly service: Service;
  readonly version: '1' | '2';
  private readonly matches: CMatch[];
  private readonly captureSlots: number;
  /** Set when a match chain holds two or more `**` wildcards (see decide()). */
  private readonly dedupe: boolean;

  constructor(file: RulesFile) {
    const { functions, captureSlots } = check(file);
    this.service = file.service;
    this.version = file.version;
    this.captureSlots = captureSlots;
    const compiler = new Compiler(functions);
    let nextId = 0;
    let dedupe = false;
    const build = (m: MatchBlock, base: number, globsAbove: number): CMatch => {
      const globs = globsAbove + m.pattern.filter((p) => p.kind === 'glob').length;
      if (globs > 1) dedupe = true;
      let slot = base;
      const slots = m.pattern.map((s) => (s.kind === 'lit' ? -1 : slot++));
      return {
        id: nextId++,
        pat: { segs: m.pattern, slots, v1: file.version === '1' },
        allows: m.allows.map((a) => {
          const covers = new Set<RulesMethod>();
          for (const meth of a.methods) for (const x of EXPAND[meth.name] ?? []) covers.add(x);
          const c: CAllow = {
            line: a.line,
            column: a.column,
            label: a.methods.map((x) => x.name).join(', '),
            covers,
          };
          if (a.cond) c.cond = compiler.condition(a.cond);
          return c;
        }),
        children: m.matches.map((c) => build(c, slot, globs)),
      };
    };
    this.matches = file.matches.map((m) => build(m, 0, 0));
    this.dedupe = dedupe;
  }

  evaluate(req: RulesRequest): Decision {
    try {
      return this.run(req, undefined);
    } catch (e) {
      if (e instanceof NeedAsync) {
        e.promise.catch(() => undefined);
        throw new Error('A document accessor returned a Promise; use evaluateAsync() for async accessors.');
      }
      throw e;
    }
  }

  async evaluateAsync(req: RulesRequest): Promise<Decision> {
    const cache: DocCache = new Map();
    // Each round fetches one more document; access limits keep the number of rounds small.
    for (let round = 0; round < 1000; round++) {
      try {
        return this.run(req, cache);
      } catch (e) {
        if (!(e instanceof NeedAsync)) throw e;
        try {
          cache.set(e.key, await e.promise);
        } catch (err) {
          cache.set(e.key, failure(`Service call error. ${(err as Error)?.message ?? String(err)}`));
        }
      }
    }
    throw new Error('Too many asynchronous document fetches for one request.');
  }

  private run(req: RulesRequest, cache: DocCache | undefined): Decision {
    const q = req.query;
    if (req.method === 'list' && q) {
      // OR-style `in` filters: each comparison value is checked separately [RQ].
      const inIdx = q.constraints.findIndex((c) => c.op === 'in');
      const inC = q.constraints[inIdx];
      if (inC && 'arrayValue' in inC.value) {
        const vals = inC.value.arrayValue.values ?? [];
        let last: Decision | undefined;
        for (const v of vals) {
          const cs = q.constraints.map((c, i) => (i === inIdx ? { ...c, op: '==' as const, value: v } : c));
          last = this.decide(req, cache, knownFields(cs));
          if (!last.allowed) return last;
        }
        if (last) return last;
      }
      return this.decide(req, cache, knownFields(q.constraints));
    }
    return this.decide(req, cache, req.method === 'list' ? new Map<string, RVal>() : undefined);
  }

  private decide(
    req: RulesRequest,
    cache: DocCache | undefined,
    known: Map<string, RVal> | undefined,
  ): Decision {
    const segs = splitPath(req.path);
    const method = req.method;
    const evaluated: AllowOutcome[] = [];
    if (this.service === 'firebase.storage' && method === 'list' && this.version === '1') {
      return { allowed: false, evaluated, message: "List operations require rules_version = '2'." };
    }
    let matchSegs = segs;
    if (method === 'list' && this.service === 'cloud.firestore')
      matchSegs = listSegments(segs, req.query?.collectionGroup);
    const ctx = new Ctx(req, this.service, new RPath(segs), this.captureSlots, cache, known);
    let granted: AllowOutcome | undefined;
    const end = matchSegs.length;
    let seen: Set<number> | undefined;
    const visit = (node: CMatch, offset: number): boolean =>
      matchPattern(node.pat, matchSegs, offset, ctx.captures, (to) => {
        // Each (match block, end offset) is explored once, so nested `**` wildcards cannot
        // make matching exponential in the path length.
        if (this.dedupe) {
          const key = node.id * 4096 + to;
          seen ??= new Set();
          if (seen.has(key)) return false;
          seen.add(key);
        }
        if (to === end) {
          for (const a of node.allows) {
            if (!a.covers.has(method)) continue;
            const o = evalAllow(a, ctx);
            evaluated.push(o);
            if (o.result === 'true') {
              granted = o;
              return true;
            }
          }
        }
        for (const c of node.children) if (visit(c, to)) return true;
        return false;
      });
    try {
      for (const m of this.matches) if (visit(m, 0)) break;
    } catch (e) {
      if (!(e instanceof Stop)) throw e;
      evaluated.push(e.outcome);
      return { allowed: false, evaluated, message: denialMessage(method, evaluated) };
    }
    if (granted)
      return { allowed: true, grantedBy: granted, evaluated, message: grantMessage(method, granted) };
    return { allowed: false, evaluated, message: denialMessage(method, evaluated) };
  }
}

/** Firestore list: a collection path gets an unknown document id appended [HID paths]. */
function listSegments(segs: string[], group: boolean | undefined): string[] {
  if (segs[0] !== 'databases' || segs[2] !== 'documents') return segs;
  const rel = segs.length - 3;
  if (group && rel >= 1)
    return [...segs.slice(0, -1), UNKNOWN_PREFIX, segs[segs.length - 1] as string, UNKNOWN_ID];
  return rel % 2 === 1 ? [...segs, UNKNOWN_ID] : segs;
}

function evalAllow(a: CAllow, ctx: Ctx): AllowOutcome {
  const base = { line: a.line, column: a.column, method: a.label };
  if (!a.cond) return { ...base, result: 'true' };
  try {
    const v = a.cond(ctx, []);
    if (v === true) return { ...base, result: 'true' };
    if (v === false) return { ...base, result: 'false' };
    return { ...base, result: 'error', error: 'Condition must evaluate to bool.' };
  } catch (e) {
    if (e instanceof EvalError) {
      const o: AllowOutcome = { ...base, result: 'error', error: e.message };
      if (e.line) o.errorAt = { line: e.line, column: e.column };
      return o;
    }
    if (e instanceof NeedAsync) throw e;
    if (e instanceof FatalEvalError) throw new Stop({ ...base, result: 'error', error: e.message });
    // Anything else is a bug or hostile input (e.g. stack exhaustion); it must still only deny.
    return { ...base, result: 'error', error: `Internal error: ${(e as Error)?.message ?? String(e)}` };
  }
}
