/** Test support: evaluate one expression in a Firestore or Storage context and show the result as plain JS. */
import type { RulesRequest } from './api.js';
import { check } from './checker.js';
import { Ctx } from './context.js';
import { Compiler } from './evaluator.js';
import { parseRules } from './parser.js';
import { splitPath } from './paths.js';
import {
  EvalError,
  FatalEvalError,
  RConstraintMap,
  RDuration,
  RLatLng,
  RMap,
  RMapDiff,
  RPath,
  RSet,
  RTimestamp,
  type RVal,
} from './values.js';

export type Plain = null | boolean | bigint | number | string | Plain[] | { [k: string]: Plain };

/** Rules value → plain JS: int → bigint, float → number, bytes → `hex:..`, path → `path:/a/b`, … */
export function plain(v: RVal): Plain {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) return v.map(plain);
  if (v instanceof Uint8Array) return `hex:${Buffer.from(v).toString('hex').toUpperCase()}`;
  if (v instanceof RMap) return Object.fromEntries(v.keys().map((k) => [k, plain(v.get(k) as RVal)]));
  if (v instanceof RSet) return { set: v.items.map(plain) };
  if (v instanceof RPath) return `path:${v.toString()}`;
  if (v instanceof RTimestamp) return { ts: v.ns };
  if (v instanceof RDuration) return { dur: v.ns };
  if (v instanceof RLatLng) return { lat: v.lat, lng: v.lng };
  if (v instanceof RMapDiff) return { diff: [plain(v.left), plain(v.right)] };
  if (v instanceof RConstraintMap) return 'constraint-map';
  return String(v);
}

export const BASE_REQUEST: RulesRequest = {
  method: 'get',
  path: '/databases/(default)/documents/coll/doc1',
  auth: {
    uid: 'alice',
    token: { email: 'alice@example.com', email_verified: true, firebase: { sign_in_provider: 'password' } },
  },
  time: new Date('2024-03-15T10:20:30.123Z'),
};

/**
 * Evaluates `expr` as the condition of `match /databases/{database}/documents/{coll}/{doc}`
 * (or Storage's `/b/{bucket}/o/{path=**}`). Returns the plain value or `{ error }`.
 */
export function evalExpr(
  expr: string,
  opts: { req?: Partial<RulesRequest>; storage?: boolean; functions?: string } = {},
): Plain | { error: string } {
  const src = opts.storage
    ? `rules_version = '2'; service firebase.storage { ${opts.functions ?? ''} match /b/{bucket}/o/{path=**} { allow read: if\n${expr}; } }`
    : `rules_version = '2'; service cloud.firestore { ${opts.functions ?? ''} match /databases/{database}/documents/{coll}/{doc} { allow read: if\n${expr}; } }`;
  const file = parseRules(src);
  const { functions, captureSlots } = check(file);
  const compiler = new Compiler(functions);
  const allow = file.matches[0]?.allows[0];
  if (!allow?.cond) throw new Error('no condition');
  const fn = compiler.condition(allow.cond);
  const req: RulesRequest = {
    ...BASE_REQUEST,
    ...(opts.storage ? { path: '/b/bkt/o/uploads/a.png' } : {}),
    ...opts.req,
  };
  const segs = splitPath(req.path);
  const ctx = new Ctx(req, file.service, new RPath(segs), captureSlots, new Map(), undefined);
  if (opts.storage) {
    ctx.captures[0] = segs[1] as string;
    ctx.captures[1] = new RPath(segs.slice(3));
  } else {
    ctx.captures[0] = segs[1] as string;
    ctx.captures[1] = segs[3] as string;
    ctx.captures[2] = segs[4] as string;
  }
  try {
    return plain(fn(ctx, []));
  } catch (e) {
    if (e instanceof EvalError || e instanceof FatalEvalError) return { error: e.message };
    throw e;
  }
}
