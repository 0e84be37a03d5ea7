/**
 * Runs a rules case against one emulator: loads the rules file (`PUT /emulator/v1/projects/
 * {p}:securityRules`, as firebase-tools and @firebase/rules-unit-testing do), seeds the documents
 * as the owner, then sends each request as its user (an unsigned emulator JWT, or no header) and
 * reduces the answers: allow or deny, the error, and when allowed the documents or write results.
 *
 * A denial's message is reduced to its clauses (`<reason> for '<method>' @ L<line>`): Google's
 * emulator repeats clauses (it evaluates some rules more than once), words the same failure
 * differently ("evaluation error at L9:24" or the property that is undefined) and, for a commit,
 * names the statements of every write where ours stops at the first denied one. So the statements
 * (`for '<method>' @ L<line>`) ours names must be among Google's; the reasons are printed only.
 * A denied commit or batchGet is compared by decision alone: Google's emulator judges a write
 * without a precondition both as a create and as an update, and names statements of other writes
 * or documents than the first denied one, so its message does not say which statement decided.
 */
import {
  call,
  clear,
  errorOf,
  normCommit,
  normDocs,
  normRead,
  type Outcome,
  seed,
  type Transport,
} from './compare.js';
import { type Json, PROJECT, ROOT, type SeedDoc } from './corpus.js';
import { grpcCall } from './grpc.js';
import { type AuthAs, renderRules, type RulesCase, type RulesStep } from './rules-corpus.js';

/** `Bearer <unsigned JWT>` in the shape the Auth emulator and rules-unit-testing make. */
export function bearer(as: AuthAs): string | null {
  if (as === null) return null;
  const part = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const payload = {
    iss: `https://securetoken.google.com/${PROJECT}`,
    aud: PROJECT,
    user_id: as['sub'],
    ...as,
  };
  return `Bearer ${part({ alg: 'none', typ: 'JWT' })}.${part(payload)}.`;
}

export interface RulesStepOutcome {
  op: string;
  status: number;
  error?: { status: string; clauses: string[]; message?: string };
  result?: unknown;
}

/** The distinct `<reason> for '<method>' @ L<n>` clauses of a denial, sorted. */
/** A denial's detail without our emulator's lead-in (Google's begins with a newline instead). */
function detailOf(message: string): string {
  return message
    .replace(/^PERMISSION_DENIED: Evaluation of Firestore rules failed for '\w+' on \S+: /, '')
    .trim();
}

export function clausesOf(message: string): string[] {
  const detail = detailOf(message);
  const out = new Set<string>();
  for (const m of detail.matchAll(/(.*?) for '(\w+)' @ L(\d+)(?:, |$)/g))
    out.add(`${m[1]} for '${m[2]}' @ L${m[3]}`);
  return [...out].sort();
}

async function putRules(base: string, source: string): Promise<{ status: number; text: string }> {
  const r = await fetch(`${base}/emulator/v1/projects/${PROJECT}:securityRules`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ rules: { files: [{ name: 'firestore.rules', content: source }] } }),
  });
  return { status: r.status, text: await r.text() };
}

async function send(t: Transport, base: string, step: RulesStep): Promise<{ status: number; json: unknown }> {
  const auth = bearer(step.as);
  const r = step.req;
  switch (r.op) {
    case 'get':
      return t === 'grpc'
        ? grpcCall(base, ROOT, 'get', { name: `${ROOT}/${r.path}` }, auth)
        : call(base, `${ROOT}/${r.path}`, undefined, 'GET', auth);
    case 'batchGet': {
      const body = { documents: r.paths.map((p) => `${ROOT}/${p}`) };
      return t === 'grpc'
        ? grpcCall(base, ROOT, 'batchGet', body, auth)
        : call(base, `${ROOT}:batchGet`, body, 'POST', auth);
    }
    case 'list': {
      const body = { structuredQuery: r.structuredQuery };
      return t === 'grpc'
        ? grpcCall(base, r.parent, 'runQuery', body, auth)
        : call(base, `${r.parent}:runQuery`, body, 'POST', auth);
    }
    default:
      return t === 'grpc'
        ? grpcCall(base, ROOT, 'commit', { writes: r.writes }, auth)
        : call(base, `${ROOT}:commit`, { writes: r.writes }, 'POST', auth);
  }
}

function outcome(step: RulesStep, r: { status: number; json: unknown }): RulesStepOutcome {
  const op = `${step.req.op} as ${step.as === null ? 'nobody' : String(step.as['sub'])}`;
  if (r.status !== 200) {
    const e = errorOf(r.json);
    const clauses = e.status === 'PERMISSION_DENIED' ? clausesOf(e.message) : [];
    // Messages other than rules denials are compared whole.
    return {
      op,
      status: r.status,
      error: { status: e.status, clauses, ...(clauses.length ? {} : { message: detailOf(e.message) }) },
    };
  }
  switch (step.req.op) {
    case 'get':
      return { op, status: 200, result: normDocs([{ document: r.json }]) };
    case 'batchGet':
      return { op, status: 200, result: normRead('batchGet', r.json) };
    case 'list':
      return { op, status: 200, result: normRead('query', r.json) };
    default:
      return { op, status: 200, result: normCommit(r.json) };
  }
}

/** Every document of the case (c/… at any depth and u/…), in name order. */
async function everything(base: string): Promise<unknown> {
  const docs: unknown[] = [];
  for (const collectionId of ['c', 'u']) {
    const r = await call(base, `${ROOT}:runQuery`, {
      structuredQuery: {
        from: [{ collectionId, allDescendants: true }],
        orderBy: [{ field: { fieldPath: '__name__' } }],
      },
    });
    docs.push(...normDocs(r.json));
  }
  return docs;
}

export async function runRulesCase(
  t: Transport,
  base: string,
  docs: SeedDoc[],
  rc: RulesCase,
): Promise<Outcome> {
  const put = await putRules(base, renderRules(rc.rules));
  if (put.status !== 200)
    return { status: put.status, error: { status: 'RULES_REJECTED', message: put.text } };
  await clear(base);
  await seed(base, docs);
  const steps: RulesStepOutcome[] = [];
  for (const step of rc.steps) steps.push(outcome(step, await send(t, base, step)));
  return { status: 200, result: steps, after: await everything(base) };
}

/** `for 'update' @ L17`: which statement a clause is about, without its reason. */
function statementOf(clause: string): string {
  return / for '\w+' @ L\d+$/.exec(clause)?.[0] ?? clause;
}

function isRulesSteps(x: unknown): x is RulesStepOutcome[] {
  return (
    Array.isArray(x) &&
    x.length > 0 &&
    typeof (x[0] as Json)['op'] === 'string' &&
    / as /.test(String((x[0] as Json)['op']))
  );
}

/**
 * The first rules step whose answers differ (false: not a rules case). Denials match when ours names a subset of Google's
 * clauses (and Google names at least one when ours does).
 */
export function rulesDifference(ours: Outcome, google: Outcome): string | undefined | false {
  if (!isRulesSteps(ours.result) || !isRulesSteps(google.result)) return false;
  const os = ours.result;
  const gs = google.result;
  for (let i = 0; i < Math.max(os.length, gs.length); i++) {
    const o = os[i];
    const g = gs[i];
    const deniedCommit = o?.error?.status === 'PERMISSION_DENIED' && /^(commit|batchGet) /.test(o.op);
    const sameMessage =
      o?.error?.message === g?.error?.message &&
      (o?.error?.clauses ?? []).every((c) =>
        (g?.error?.clauses ?? []).some((x) => statementOf(x) === statementOf(c)),
      ) &&
      (o?.error?.clauses.length ?? 0) > 0 === (g?.error?.clauses.length ?? 0) > 0;
    const same =
      o !== undefined &&
      g !== undefined &&
      o.status === g.status &&
      o.error?.status === g.error?.status &&
      (deniedCommit || sameMessage) &&
      JSON.stringify(o.result) === JSON.stringify(g.result);
    if (same) continue;
    const say = (x: RulesStepOutcome | undefined) =>
      `${x?.status ?? '-'} ${x?.error?.status ?? 'OK'} ${JSON.stringify(x?.error?.message ?? x?.error?.clauses.join(', ') ?? '')}`;
    if (o?.status === 200 && g?.status === 200) return `rules step ${i} (${g.op}): result`;
    return `rules step ${i} (${g?.op ?? o?.op}): google ${say(g)} | ours ${say(o)}`;
  }
  return JSON.stringify(ours.after) === JSON.stringify(google.after)
    ? undefined
    : 'rules: state after the requests';
}
