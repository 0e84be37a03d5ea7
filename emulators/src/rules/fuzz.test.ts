/**
 * Robustness: whatever the rules text or request, the engine answers with a Decision or a
 * RulesCompileError — never another exception, never a hang. Deterministic (seeded PRNG).
 */
import { describe, expect, it } from 'vitest';
import type { Decision, FirestoreValue, RulesMethod, RulesRequest } from './api.js';
import { type CompiledRuleset, compileRules, RulesCompileError } from './index.js';
import { prng } from '../test-support/prng.js';

const BASES = [
  `rules_version = '2';
service cloud.firestore {
  match /databases/{database}/documents {
    function isSignedIn() { return request.auth != null; }
    function isOwner(uid) { let me = request.auth.uid; return isSignedIn() && me == uid; }
    function isStaff() { return get(/databases/$(database)/documents/users/$(request.auth.uid)).data.staff == true; }
    match /users/{uid} {
      allow read: if isOwner(uid) || isStaff();
      allow update: if isOwner(uid) && request.resource.data.diff(resource.data).affectedKeys().hasOnly(['name', 'bio']);
      allow create: if isOwner(uid) && request.resource.data.name is string && request.resource.data.name.size() < 50;
    }
    match /threads/{uid}/messages/{id} {
      allow list: if resource.data.owner == request.auth.uid && request.query.limit <= 50;
      allow create: if request.resource.data.createdAt == request.time && request.resource.data.text.matches('^[^<>]{1,2000}$');
    }
    match /{path=**}/posts/{post} { allow read: if resource.data.public == true; }
    match /content/{id} {
      allow get: if resource.data.tier == 'free' || request.auth.token.premium == true;
      allow write: if false;
    }
  }
}`,
  `rules_version = '2';
service firebase.storage {
  match /b/{bucket}/o {
    match /uploads/{uid}/{uploadId}/{fileName} {
      allow read: if request.auth.uid == uid;
      allow create: if request.auth.uid == uid && request.resource.size < 10 * 1024 * 1024
        && request.resource.contentType.matches('image/(png|jpeg)|application/zip')
        && fileName.size() < 200;
    }
    match /content/premium/{all=**} {
      allow read: if firestore.get(/databases/(default)/documents/users/$(request.auth.uid)).data.premium == true;
    }
  }
}`,
  `service cloud.firestore {
  match /databases/{db}/documents {
    match /a/{b=**} {
      allow read: if [1, 2, 3].hasAll([1]) && {'a': 1}.get('a', 0) == 1 && math.abs(-1) == 1
        && timestamp.date(2020, 1, 1) < request.time && duration.value(1, 'h').seconds() == 3600
        && b'abc'.size() == 3 && hashing.md5('x').size() == 16 && latlng.value(1, 2).latitude() == 1.0
        && string(1.5) == '1.5' && int('3') + float('0.5') > 3 && '/a/b'.split('/').size() == 3
        && /x/$(db)/y[1] == db && ['a'].toSet().union(['b']).size() == 2 && (true ? 1 : 2) == 1;
    }
  }
}`,
];

const INTERESTING = [
  ...'{}()[];:,.!=<>&|+-*/%?$\'"\\ \n',
  'if',
  'allow',
  'match',
  '**',
  '=**',
  'true',
  'null',
  'let ',
  'return ',
];

function mutate(src: string, rnd: () => number): string {
  let s = src;
  const n = 1 + Math.floor(rnd() * 4);
  for (let k = 0; k < n; k++) {
    const i = Math.floor(rnd() * (s.length + 1));
    const op = Math.floor(rnd() * 5);
    if (op === 0) s = s.slice(0, i) + s.slice(i + 1 + Math.floor(rnd() * 3));
    else if (op === 1)
      s = s.slice(0, i) + (INTERESTING[Math.floor(rnd() * INTERESTING.length)] ?? '') + s.slice(i);
    else if (op === 2) {
      const len = 1 + Math.floor(rnd() * 20);
      s = s.slice(0, i) + s.slice(i, i + len) + s.slice(i);
    } else if (op === 3) {
      // Delete a whole token-ish run (identifier or punctuation run).
      let j = i;
      while (j < s.length && /\w/.test(s[j] as string)) j++;
      s = s.slice(0, i) + s.slice(Math.max(j, i + 1));
    } else {
      const j = Math.floor(rnd() * s.length);
      s = s.slice(0, i) + (s[j] ?? '') + s.slice(i);
    }
  }
  return s;
}

const PATHS = [
  '/databases/(default)/documents/users/alice',
  '/databases/(default)/documents/users',
  '/databases/(default)/documents/threads/alice/messages',
  '/databases/(default)/documents/threads/alice/messages/m1',
  '/databases/(default)/documents/x/y/posts/p',
  '/databases/(default)/documents/content/c1',
  '/databases/(default)/documents/a/b/c',
  '/b/bkt/o/uploads/alice/u1/a.png',
  '/b/bkt/o/content/premium/v.mp4',
  '/b/bkt/o',
  '/',
  '',
];
const METHODS: RulesMethod[] = ['get', 'list', 'create', 'update', 'delete'];
const REGEXES = [
  '(a+)+$',
  '(a|a)*b',
  '(.*)*x',
  '([a-z]+)*\\d',
  '(a?){30}a{30}',
  '^(\\w+\\s?)*$',
  '(',
  '[',
  'a{2,1}',
];

function randomValue(rnd: () => number, depth = 0): FirestoreValue {
  const r = Math.floor(rnd() * (depth > 2 ? 7 : 9));
  switch (r) {
    case 0:
      return { nullValue: null };
    case 1:
      return { booleanValue: rnd() < 0.5 };
    case 2:
      return { integerValue: String(Math.floor((rnd() - 0.5) * 1e12)) };
    case 3:
      return { doubleValue: rnd() < 0.1 ? 'NaN' : (rnd() - 0.5) * 1e6 };
    case 4:
      return { stringValue: rnd() < 0.3 ? `${'a'.repeat(Math.floor(rnd() * 5000))}!` : 'alice' };
    case 5:
      return { timestampValue: '2024-03-15T10:20:30.123456789Z' };
    case 6:
      return { bytesValue: 'AQID' };
    case 7:
      return { arrayValue: { values: [randomValue(rnd, depth + 1), randomValue(rnd, depth + 1)] } };
    default:
      return { mapValue: { fields: { a: randomValue(rnd, depth + 1), owner: randomValue(rnd, depth + 1) } } };
  }
}

function randomRequest(rnd: () => number): RulesRequest {
  const fields: Record<string, FirestoreValue> = {};
  for (const k of ['name', 'owner', 'public', 'tier', 'text', 'createdAt', 'staff', 'premium']) {
    if (rnd() < 0.6) fields[k] = randomValue(rnd);
  }
  const d = { name: 'projects/p/databases/(default)/documents/users/alice', fields };
  const storageObj = {
    name: 'a.png',
    bucket: 'bkt',
    size: Math.floor(rnd() * 2e7),
    contentType: rnd() < 0.5 ? 'image/png' : 'text/html',
    metadata: { k: 'v' },
  };
  const storage = rnd() < 0.3;
  return {
    method: METHODS[Math.floor(rnd() * METHODS.length)] as RulesMethod,
    path: PATHS[Math.floor(rnd() * PATHS.length)] as string,
    auth:
      rnd() < 0.2
        ? null
        : {
            uid: rnd() < 0.5 ? 'alice' : '',
            token: { premium: rnd() < 0.5, email: 'a@b.c', n: rnd() * 100, nested: { x: [1, 'y'] } },
          },
    time: new Date(Math.floor(rnd() * 4e12)),
    resource: rnd() < 0.3 ? null : storage ? storageObj : d,
    requestResource: rnd() < 0.3 ? null : storage ? storageObj : d,
    query: {
      limit: Math.floor(rnd() * 100),
      constraints: rnd() < 0.5 ? [] : [{ fieldPath: 'owner', op: '==', value: randomValue(rnd) }],
    },
    documents: { get: () => (rnd() < 0.5 ? d : null) },
    firestore: { get: () => (rnd() < 0.5 ? d : null) },
    accessLimit: rnd() < 0.5 ? 10 : 20,
  };
}

function isDecision(d: Decision): boolean {
  // An internal error would mean a JS exception escaped the evaluator: a bug, not a rules error.
  const internal = d.evaluated.find((o) => o.error?.startsWith('Internal error'));
  if (internal) throw new Error(internal.error);
  return typeof d.allowed === 'boolean' && typeof d.message === 'string' && Array.isArray(d.evaluated);
}

/** Compile, then evaluate a few requests; returns how the text fared. */
function exercise(src: string, rnd: () => number): 'compiled' | 'rejected' {
  let rs: CompiledRuleset;
  try {
    rs = compileRules(src);
  } catch (e) {
    if (e instanceof RulesCompileError) {
      expect(e.issues.length).toBeGreaterThan(0);
      expect(e.message).toMatch(/^L\d+:\d+: /);
      return 'rejected';
    }
    throw new Error(`non-compile exception for input ${JSON.stringify(src)}: ${(e as Error).stack}`);
  }
  for (let i = 0; i < 3; i++) {
    const t = performance.now();
    const d = rs.evaluate(randomRequest(rnd));
    expect(isDecision(d)).toBe(true);
    expect(performance.now() - t).toBeLessThan(250);
  }
  return 'compiled';
}

describe('fuzz (seeded)', () => {
  it('mutated rules files compile or fail with RulesCompileError; compiled ones always decide', () => {
    const rnd = prng(0xc0ffee);
    const stats = { compiled: 0, rejected: 0 };
    for (let i = 0; i < 3000; i++) {
      const base = BASES[i % BASES.length] as string;
      stats[exercise(mutate(base, rnd), rnd)]++;
    }
    // Both outcomes must occur, or the mutator is not exercising anything.
    expect(stats.compiled).toBeGreaterThan(100);
    expect(stats.rejected).toBeGreaterThan(100);
  });

  it('random bytes and token soup never escape as non-compile exceptions', () => {
    const rnd = prng(42);
    for (let i = 0; i < 1500; i++) {
      const len = Math.floor(rnd() * 200);
      let s =
        rnd() < 0.5 ? "rules_version = '2'; service cloud.firestore { match /a/{b} { allow read: if " : '';
      for (let k = 0; k < len; k++) {
        s +=
          rnd() < 0.5
            ? String.fromCharCode(32 + Math.floor(rnd() * 95))
            : (INTERESTING[Math.floor(rnd() * INTERESTING.length)] ?? '');
      }
      exercise(s, rnd);
    }
  });

  it('unmutated bases compile and decide on random requests', () => {
    const rnd = prng(7);
    for (const b of BASES) expect(exercise(b, rnd)).toBe('compiled');
    const third = compileRules(BASES[2] as string);
    expect(
      third.evaluate({
        method: 'get',
        path: '/databases/(default)/documents/a/x',
        auth: null,
        time: new Date(),
      }).allowed,
    ).toBe(true);
  });

  it('pathological regexes on long inputs are linear (RE2): (a+)+$ on 100k chars', () => {
    const rnd = prng(99);
    for (const re of REGEXES) {
      const rs = compileRules(
        `rules_version = '2'; service cloud.firestore { match /{d=**} { allow read: if request.auth.token.s.matches(request.auth.token.re) || request.auth.token.s.split(request.auth.token.re).size() > 0; } }`,
      );
      for (const len of [10, 1000, 100_000]) {
        const s = `${'a'.repeat(len)}${rnd() < 0.5 ? '!' : ''}`;
        const t = performance.now();
        const d = rs.evaluate({
          method: 'get',
          path: '/x',
          auth: { uid: 'u', token: { s, re } },
          time: new Date(),
        });
        expect(isDecision(d)).toBe(true);
        expect(performance.now() - t).toBeLessThan(2000);
      }
    }
  });

  it('random generated expressions always produce a Decision', () => {
    const rnd = prng(1234);
    const atoms = [
      '1',
      '-1',
      '2.5',
      "'s'",
      'true',
      'null',
      '[1, 2]',
      "{'a': 1}",
      'request.auth',
      'request.auth.uid',
      'resource.data',
      'resource.data.owner',
      'request.time',
      "duration.value(1, 's')",
      '/a/b',
      "b'x'",
      'request.query',
      'x',
      'request.path',
    ];
    const bin = ['&&', '||', '==', '!=', '<', '<=', '>', '>=', '+', '-', '*', '/', '%', 'in'];
    const methods = [
      'size()',
      'keys()',
      'lower()',
      "matches('a+')",
      "split('/')",
      'toSet()',
      "get('a', 0)",
      'year()',
      'hasAny([1])',
      'toMillis()',
    ];
    const gen = (depth: number): string => {
      const r = rnd();
      if (depth > 3 || r < 0.3) return atoms[Math.floor(rnd() * atoms.length)] as string;
      if (r < 0.6) return `(${gen(depth + 1)} ${bin[Math.floor(rnd() * bin.length)]} ${gen(depth + 1)})`;
      if (r < 0.75) return `(${gen(depth + 1)}).${methods[Math.floor(rnd() * methods.length)]}`;
      if (r < 0.85) return `!${gen(depth + 1)}`;
      if (r < 0.92) return `(${gen(depth + 1)} ? ${gen(depth + 1)} : ${gen(depth + 1)})`;
      return `(${gen(depth + 1)})[${gen(depth + 1)}]`;
    };
    let allowed = 0;
    for (let i = 0; i < 1500; i++) {
      const src = `rules_version = '2'; service cloud.firestore { match /databases/{db}/documents/{c}/{x} { allow read, write: if ${gen(0)}; } }`;
      const rs = compileRules(src);
      const d = rs.evaluate(randomRequest(rnd));
      expect(isDecision(d)).toBe(true);
      if (d.allowed) allowed++;
    }
    expect(allowed).toBeGreaterThan(0);
  });
});

describe('matching stays polynomial', () => {
  it('[RL] ten nested {x=**} blocks against a 100-segment path decide quickly', () => {
    let body = 'allow read: if false;';
    for (let i = 0; i < 9; i++) body = `match /{g${i}=**} { ${body} }`;
    const rs = compileRules(`rules_version = '2'; service cloud.firestore { match /{top=**} { ${body} } }`);
    const path = `/${Array.from({ length: 100 }, (_, i) => `s${i}`).join('/')}`;
    const t = performance.now();
    const d = rs.evaluate({ method: 'get', path, auth: null, time: new Date() });
    expect(d.allowed).toBe(false);
    expect(d.message).toBe("false for 'get' @ L1");
    expect(performance.now() - t).toBeLessThan(2000);
  });
});

describe('large collections stay fast', () => {
  it('[R.List] hasOnly / hasAll / toSet over 20,000 strings are hashed, not quadratic', () => {
    const rs = compileRules(
      "rules_version = '2'; service cloud.firestore { match /{d=**} { allow read: if request.auth.token.keys.hasOnly(request.auth.token.allowed) && request.auth.token.allowed.hasAll(request.auth.token.keys) && request.auth.token.keys.toSet().size() == 20000; } }",
    );
    const keys = Array.from({ length: 20_000 }, (_, i) => `k${i}`);
    const t = performance.now();
    const d = rs.evaluate({
      method: 'get',
      path: '/a/b',
      auth: { uid: 'u', token: { keys, allowed: [...keys].reverse() } },
      time: new Date(),
    });
    expect(d.allowed).toBe(true);
    expect(performance.now() - t).toBeLessThan(1000);
  });
});
