/**
 * Random Security Rules cases for the differential harness (issue 18): a rules file built from our
 * own templates (match paths with single and recursive wildcards; allow read/get/list/write/
 * create/update/delete; conditions on request.auth and its token claims, resource.data,
 * request.resource.data, get/exists/getAfter/existsAfter, functions, string/list/map methods,
 * request.query), then requests as different users. Kept structured (not a string) so a difference
 * can be shrunk to fewer blocks, statements and requests.
 */
import type { Gen, Json, SeedDoc } from './corpus.js';
import { ROOT } from './names.js';

export interface Allow {
  methods: string[];
  cond: string;
}

export interface MatchBlock {
  path: string;
  allows: Allow[];
}

export interface RulesSpec {
  functions: boolean;
  blocks: MatchBlock[];
}

/** The token payload of an unsigned emulator JWT, or null for no Authorization header. */
export type AuthAs = Json | null;

export type RulesOp =
  | { op: 'get'; path: string }
  | { op: 'batchGet'; paths: string[] }
  | { op: 'list'; parent: string; structuredQuery: Json }
  | { op: 'commit'; writes: Json[] };

export interface RulesStep {
  as: AuthAs;
  req: RulesOp;
}

export interface RulesCase {
  rules: RulesSpec;
  steps: RulesStep[];
}

const FUNCTIONS = `    function isOwner(u) {
      return request.auth != null && request.auth.uid == u;
    }
    function isAdmin() {
      return request.auth != null
        && get(/databases/$(database)/documents/u/$(request.auth.uid)).data.get('role', '') == 'admin';
    }
    function verified() {
      let t = request.auth.token;
      return t.get('email_verified', false) == true;
    }
`;

export function renderRules(spec: RulesSpec): string {
  const blocks = spec.blocks
    .map(
      (b) =>
        `    match ${b.path} {\n${b.allows.map((a) => `      allow ${a.methods.join(', ')}: if ${a.cond};\n`).join('')}    }\n`,
    )
    .join('');
  return (
    `rules_version = '2';\nservice cloud.firestore {\n  match /databases/{database}/documents {\n` +
    `${spec.functions ? FUNCTIONS : ''}${blocks}  }\n}\n`
  );
}

/** Match paths and the wildcard variables they bind that hold a string (not a path). */
const PATHS: { path: string; vars: string[] }[] = [
  { path: '/c/{id}', vars: ['id'] },
  { path: '/c/{id}', vars: ['id'] },
  { path: '/c/{id}/c/{sub}', vars: ['id', 'sub'] },
  { path: '/u/{uid}', vars: ['uid'] },
  { path: '/{coll}/{id}', vars: ['coll', 'id'] },
  { path: '/{path=**}', vars: [] },
  { path: '/c/{rest=**}', vars: [] },
];

const METHODS = ['read', 'get', 'list', 'write', 'create', 'update', 'delete'];

const ATOMS = [
  'true',
  'false',
  'request.auth != null',
  'request.auth == null',
  'request.auth.token.email_verified == true',
  'request.auth.token.email_verified',
  "request.auth.token.role == 'admin'",
  "'role' in request.auth.token",
  "request.auth.token.get('premium', false) == true",
  "request.auth.token.email.matches('.*@example[.]com$')",
  "request.auth.token.firebase.sign_in_provider == 'password'",
  'resource.data.a == 1',
  'resource.data.a > 0',
  "resource.data.get('a', 0) is int",
  "resource.data.keys().hasAll(['a'])",
  'resource.data.size() < 3',
  'resource.data.m.x == true',
  'resource.data.arr.size() > 1',
  '1 in resource.data.arr',
  "resource.data.arr.hasAny([1, 'a', true])",
  'resource.data.b is string && resource.data.b.size() > 0',
  "string(resource.data.a) == '1'",
  'resource == null',
  'resource.id == request.auth.uid',
  'request.resource.data.a is int',
  'request.resource.data.a == resource.data.a',
  "request.resource.data.diff(resource.data).affectedKeys().hasOnly(['a', 'b'])",
  "request.resource.data.keys().hasOnly(['a', 'b', 'c'])",
  "request.resource.data.get('b', '').size() <= 2",
  "request.resource.data.m.keys().hasOnly(['x'])",
  "get(/databases/$(database)/documents/u/$(request.auth.uid)).data.role == 'admin'",
  'exists(/databases/$(database)/documents/u/$(request.auth.uid))',
  "getAfter(/databases/$(database)/documents/u/$(request.auth.uid)).data.get('role', '') != 'banned'",
  'existsAfter(/databases/$(database)/documents/u/$(request.auth.uid))',
  'request.query.limit <= 2',
  'request.query.limit == null',
  'request.query.offset == 0',
  'request.query.orderBy.size() == 0',
  "request.query.orderBy.get('a', 'none') == 'ASC'",
  'request.time < timestamp.date(2100, 1, 1)',
  'math.abs(resource.data.a) < 5',
  "request.path[3] == 'c'",
];

/** Atoms about a string wildcard variable `V`. */
const VAR_ATOMS = [
  'request.auth.uid == V',
  'isOwner(V)',
  'V.size() < 3',
  'V.lower() == V',
  "V.matches('[a-z]+')",
  "V in ['a', 'b', 'c1']",
  'getAfter(/databases/$(database)/documents/c/$(V)).data.a == 1',
  'exists(/databases/$(database)/documents/c/$(V))',
  "V.split('_').size() == 1",
];

/** Users: token payloads (standard and custom claims) and no token at all. */
export const USERS: AuthAs[] = [
  null,
  {
    sub: 'alice',
    email: 'alice@example.com',
    email_verified: true,
    role: 'admin',
    firebase: { sign_in_provider: 'password' },
  },
  { sub: 'bob', email: 'bob@other.org', email_verified: false, firebase: { sign_in_provider: 'password' } },
  { sub: 'a', email: 'a@example.com', email_verified: true, premium: true },
  { sub: 'c1' },
];

const IDS = ['a', 'b', 'c1', 'B', '7'];
const UIDS = ['alice', 'bob', 'a'];

function cond(g: Gen, vars: string[], depth = 0): string {
  const k = g.int(10);
  if (depth < 2 && k === 0) return `${cond(g, vars, depth + 1)} && ${cond(g, vars, depth + 1)}`;
  if (depth < 2 && k === 1) return `(${cond(g, vars, depth + 1)} || ${cond(g, vars, depth + 1)})`;
  if (depth < 2 && k === 2) return `!(${cond(g, vars, depth + 1)})`;
  if (k === 3) return g.chance(0.5) ? 'isAdmin()' : 'verified()';
  if (vars.length > 0 && k < 6) return g.pick(VAR_ATOMS).replaceAll('V', g.pick(vars));
  return g.pick(ATOMS);
}

export function genRules(g: Gen): RulesSpec {
  const blocks = Array.from({ length: 1 + g.int(3) }, () => {
    const p = g.pick(PATHS);
    const allows = Array.from({ length: 1 + g.int(3) }, () => ({
      methods: [...new Set([g.pick(METHODS), ...(g.chance(0.3) ? [g.pick(METHODS)] : [])])],
      cond: cond(g, p.vars),
    }));
    return { path: p.path, allows };
  });
  return { functions: true, blocks };
}

function fields(g: Gen): Json {
  const out: Json = {};
  if (g.chance(0.7)) out['a'] = { integerValue: String(g.pick([0, 1, 2, -7])) };
  if (g.chance(0.5)) out['b'] = { stringValue: g.pick(['', 'x', 'abc']) };
  if (g.chance(0.2)) out['c'] = { booleanValue: true };
  if (g.chance(0.2)) out['m'] = { mapValue: { fields: { x: { booleanValue: g.chance(0.5) } } } };
  if (g.chance(0.2)) {
    out['arr'] = {
      arrayValue: { values: [{ integerValue: '1' }, { stringValue: 'a' }].slice(0, 1 + g.int(2)) },
    };
  }
  return out;
}

/** Documents under c/ (and one level below) and user profiles under u/. */
export function rulesDocs(g: Gen): SeedDoc[] {
  const out: SeedDoc[] = [];
  for (const id of IDS) if (g.chance(0.6)) out.push({ path: `c/${id}`, fields: fields(g) });
  if (g.chance(0.4)) out.push({ path: `c/${g.pick(IDS)}/c/${g.pick(IDS)}`, fields: fields(g) });
  for (const uid of UIDS) {
    if (g.chance(0.6))
      out.push({ path: `u/${uid}`, fields: { role: { stringValue: g.pick(['admin', 'user', 'banned']) } } });
  }
  return out;
}

function docPath(g: Gen): string {
  const k = g.int(6);
  if (k === 0) return `u/${g.pick(UIDS)}`;
  if (k === 1) return `c/${g.pick(IDS)}/c/${g.pick(IDS)}`;
  return `c/${g.pick(IDS)}`;
}

function ruleWrite(g: Gen): Json {
  const name = `${ROOT}/${docPath(g)}`;
  const k = g.int(6);
  if (k === 0) return { delete: name };
  const w: Json = { update: { name, fields: fields(g) } };
  if (k === 1) w['currentDocument'] = { exists: false };
  if (k === 2) {
    w['updateMask'] = { fieldPaths: [g.pick(['a', 'b', 'c'])] };
    w['currentDocument'] = { exists: true };
  }
  if (k === 3) w['updateMask'] = { fieldPaths: [g.pick(['a', 'b', 'm.x'])] };
  return w;
}

function listQuery(g: Gen): { parent: string; structuredQuery: Json } {
  const sub = g.chance(0.15);
  const q: Json = {
    from: [
      {
        collectionId: g.chance(0.15) ? 'u' : 'c',
        ...(!sub && g.chance(0.2) ? { allDescendants: true } : {}),
      },
    ],
  };
  const k = g.int(5);
  if (k === 0)
    q['where'] = { fieldFilter: { field: { fieldPath: 'a' }, op: 'EQUAL', value: { integerValue: '1' } } };
  if (k === 1) {
    q['where'] = {
      fieldFilter: {
        field: { fieldPath: 'b' },
        op: 'IN',
        value: { arrayValue: { values: [{ stringValue: 'x' }, { stringValue: '' }] } },
      },
    };
  }
  if (k === 2)
    q['where'] = {
      fieldFilter: { field: { fieldPath: 'a' }, op: 'GREATER_THAN', value: { integerValue: '0' } },
    };
  if (g.chance(0.4)) q['limit'] = 1 + g.int(3);
  if (g.chance(0.2)) q['orderBy'] = [{ field: { fieldPath: 'a' }, direction: 'ASCENDING' }];
  return { parent: sub ? `${ROOT}/c/${g.pick(IDS)}` : ROOT, structuredQuery: q };
}

export function genRulesCase(g: Gen): RulesCase {
  const steps = Array.from({ length: 3 + g.int(4) }, (): RulesStep => {
    const as = g.pick(USERS);
    const k = g.int(10);
    if (k < 3) return { as, req: { op: 'get', path: docPath(g) } };
    if (k < 4) return { as, req: { op: 'batchGet', paths: [...new Set([docPath(g), docPath(g)])] } };
    if (k < 6) return { as, req: { op: 'list', ...listQuery(g) } };
    return { as, req: { op: 'commit', writes: Array.from({ length: 1 + g.int(3) }, () => ruleWrite(g)) } };
  });
  return { rules: genRules(g), steps };
}

/** Smaller variants: fewer blocks, statements, requests, writes. */
export function rulesVariants(c: RulesCase): RulesCase[] {
  const out: RulesCase[] = [];
  const { blocks } = c.rules;
  for (let i = 0; i < c.steps.length; i++) out.push({ ...c, steps: c.steps.filter((_, j) => j !== i) });
  for (let i = 0; i < blocks.length; i++) {
    if (blocks.length > 1)
      out.push({ ...c, rules: { ...c.rules, blocks: blocks.filter((_, j) => j !== i) } });
    const b = blocks[i]!;
    for (let k = 0; k < b.allows.length; k++) {
      const fewer = b.allows.filter((_, j) => j !== k);
      if (fewer.length === 0) continue;
      out.push({
        ...c,
        rules: { ...c.rules, blocks: blocks.map((x, j) => (j === i ? { ...x, allows: fewer } : x)) },
      });
    }
  }
  c.steps.forEach((s, i) => {
    if (s.req.op !== 'commit' || s.req.writes.length < 2) return;
    const writes = s.req.writes;
    for (let k = 0; k < writes.length; k++) {
      const req = { op: 'commit' as const, writes: writes.filter((_, j) => j !== k) };
      out.push({ ...c, steps: c.steps.map((x, j) => (j === i ? { ...x, req } : x)) });
    }
  });
  return out;
}
