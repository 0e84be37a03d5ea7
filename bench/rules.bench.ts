/**
 * Security Rules engine benchmarks (issue 3): decisions/s for a one-line rule and for a
 * realistic multi-match rules file with helper functions and a get(), and compile time of a
 * generated 500-line rules file. Run: `npx tsx bench/rules.bench.ts`.
 */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { FirestoreDocument, RulesRequest } from '../emulators/src/rules/index.js';
import { compileRules } from '../emulators/src/rules/index.js';
import { type BenchResult, median, report } from './harness.js';

const RUNS = 7;
const DB = '/databases/(default)/documents';

/**
 * Runs `fn` repeatedly for about `ms` of this process's CPU time and returns operations per
 * CPU-second. CPU time rather than wall time, because the benchmark machine is shared: other
 * processes stealing the core would otherwise be charged to the engine.
 */
function throughput(fn: () => void, ms = 400): number {
  for (let i = 0; i < 2000; i++) fn(); // warm up the JIT
  let n = 0;
  const start = cpuMs();
  let now = start;
  while (now - start < ms) {
    for (let i = 0; i < 500; i++) fn();
    n += 500;
    now = cpuMs();
  }
  return Math.round((n * 1000) / (now - start));
}

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

function oneLine(): number[] {
  const rs = compileRules(`rules_version = '2';
service cloud.firestore {
  match /databases/{database}/documents {
    match /users/{uid} { allow read: if request.auth != null; }
  }
}`);
  const req: RulesRequest = {
    method: 'get',
    path: `${DB}/users/u1`,
    auth: { uid: 'u1', token: { email_verified: true } },
    time: new Date(),
  };
  if (!rs.evaluate(req).allowed) throw new Error('one-line rule should allow');
  return Array.from({ length: RUNS }, () => throughput(() => rs.evaluate(req)));
}

/** The repository's own rules count as realistic once they open anything (not just a deny-all). */
function repoRules(): string | undefined {
  const file = fileURLToPath(new URL('../firestore.rules', import.meta.url));
  if (!existsSync(file)) return undefined;
  const text = readFileSync(file, 'utf8');
  return /allow[^;{}]*:\s*if\s+(?!false\s*;)/.test(text) ? text : undefined;
}

/** The sign-up batch's profile create: helper functions, lets, getAfter/existsAfter, matches(). */
function repoSignUp(source: string): number[] {
  const rs = compileRules(source);
  const now = new Date('2024-06-01T12:00:00Z');
  const claim: FirestoreDocument = {
    name: 'projects/demo/databases/(default)/documents/usernames/alice_1',
    fields: { uid: { stringValue: 'alice' } },
  };
  const req: RulesRequest = {
    method: 'create',
    path: `${DB}/users/alice`,
    auth: { uid: 'alice', token: { email: 'alice@example.com', email_verified: false, user_id: 'alice' } },
    time: now,
    resource: null,
    requestResource: {
      name: 'projects/demo/databases/(default)/documents/users/alice',
      fields: { username: { stringValue: 'alice_1' }, createdAt: { timestampValue: now.toISOString() } },
    },
    documents: { get: () => null, getAfter: (p) => (p === `${DB}/usernames/alice_1` ? claim : null) },
  };
  const d = rs.evaluate(req);
  if (!d.allowed) console.error(`note: repo firestore.rules denied the sign-up request (${d.message})`);
  return Array.from({ length: RUNS }, () => throughput(() => rs.evaluate(req)));
}

function realistic(): number[] {
  const file = fileURLToPath(new URL('./fixtures/firestore.rules', import.meta.url));
  const rs = compileRules(readFileSync(file, 'utf8'));
  const now = new Date('2024-06-01T12:00:00Z');
  const user: FirestoreDocument = {
    name: 'projects/demo/databases/(default)/documents/users/alice',
    fields: { username: { stringValue: 'alice' }, createdAt: { timestampValue: '2024-01-01T00:00:00Z' } },
  };
  const req: RulesRequest = {
    method: 'create',
    path: `${DB}/threads/alice/messages/m1`,
    auth: {
      uid: 'alice',
      token: {
        email: 'alice@example.com',
        email_verified: true,
        user_id: 'alice',
        sub: 'alice',
        firebase: { sign_in_provider: 'password', identities: { email: ['alice@example.com'] } },
      },
    },
    time: now,
    resource: null,
    requestResource: {
      name: 'projects/demo/databases/(default)/documents/threads/alice/messages/m1',
      fields: {
        author: { stringValue: 'alice' },
        text: { stringValue: 'Hello, I have a question about my premium access.' },
        createdAt: { timestampValue: now.toISOString() },
        attachments: { arrayValue: { values: [{ stringValue: 'up1' }] } },
      },
    },
    documents: { get: (p) => (p === `${DB}/users/alice` ? user : null) },
  };
  const d = rs.evaluate(req);
  if (!d.allowed) throw new Error(`realistic request should be allowed: ${d.message}`);
  return Array.from({ length: RUNS }, () => throughput(() => rs.evaluate(req)));
}

function generated500(variant: number): string {
  const lines = [
    "rules_version = '2';",
    'service cloud.firestore {',
    '  match /databases/{database}/documents {',
  ];
  let i = 0;
  while (lines.length < 496) {
    lines.push(
      `    function check${i}(uid, data) {`,
      `      let owner = data.get('owner', null);`,
      `      return request.auth != null && request.auth.uid == uid && owner == uid && data.size() < ${i + 10};`,
      '    }',
      `    match /coll${i}/{uid}/items/{id} {`,
      `      allow read: if check${i}(uid, resource.data) || request.auth.token.get('staff', false) == true;`,
      `      allow create: if check${i}(uid, request.resource.data) && request.resource.data.name.matches('^[a-z]{1,${i + 5 + variant * 100}}$');`,
      `      allow update: if request.resource.data.diff(resource.data).affectedKeys().hasOnly(['name', 'n${i}']);`,
      '    }',
    );
    i++;
  }
  lines.push('  }', '}');
  return lines.join('\n');
}

/**
 * Per sample: the fastest of 10 compiles (wall clock), which filters out preemption on the shared
 * machine. Every compile gets a fresh text variant so no cache (e.g. of regular expressions) helps.
 */
function compileTimes(): number[] {
  let variant = 0;
  const first = generated500(variant);
  const lineCount = first.split('\n').length;
  if (lineCount < 500) throw new Error(`generated only ${lineCount} lines`);
  for (let i = 0; i < 5; i++) compileRules(generated500(++variant)); // warm up
  return Array.from({ length: RUNS }, () => {
    let best = Number.POSITIVE_INFINITY;
    for (let i = 0; i < 10; i++) {
      const src = generated500(++variant);
      const t = performance.now();
      compileRules(src);
      best = Math.min(best, performance.now() - t);
    }
    return Number(best.toFixed(3));
  });
}

const results: BenchResult[] = [
  {
    name: 'rules: decisions/s, one-line rule',
    method: 'evaluate() of `allow read: if request.auth != null` for a get, ~0.4 CPU-s per run, one core',
    unit: 'decisions/s',
    samples: oneLine(),
    budget: 100_000,
    better: 'higher',
  },
  {
    name: 'rules: decisions/s, realistic rules file (fixture)',
    method:
      'evaluate() of a message create against bench/fixtures/firestore.rules (catch-all + nested matches, helper functions, lets, get() of the user doc)',
    unit: 'decisions/s',
    samples: realistic(),
    budget: 20_000,
    better: 'higher',
  },
  ...(() => {
    const repo = repoRules();
    if (!repo) return [];
    const r: BenchResult = {
      name: 'rules: decisions/s, repo firestore.rules',
      method: "evaluate() of the sign-up batch's users/{uid} create against the repository's firestore.rules",
      unit: 'decisions/s',
      samples: repoSignUp(repo),
      budget: 20_000,
      better: 'higher',
    };
    return [r];
  })(),
  {
    name: 'rules: compile time, 500-line rules file',
    method:
      'compileRules() of a generated 500-line firestore.rules (55 functions with lets, 55 matches, 165 allows); fastest of 10 per sample, wall-clock ms',
    unit: 'ms',
    samples: compileTimes(),
    budget: 20,
    better: 'lower',
  },
];

for (const r of results)
  console.error(`${r.name}: median ${median(r.samples)} ${r.unit} (budget ${r.budget})`);
report(results);
