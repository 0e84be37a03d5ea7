import { describe, expect, it } from 'vitest';
import type { FirestoreDocument, RulesMethod, RulesRequest } from './api.js';
import { compileRules } from './index.js';

const DB = '/databases/(default)/documents';
const T0 = new Date('2024-03-15T10:20:30Z');

function req(method: RulesMethod, path: string, extra: Partial<RulesRequest> = {}): RulesRequest {
  return { method, path, auth: { uid: 'alice', token: { email_verified: true } }, time: T0, ...extra };
}

function doc(path: string, fields: FirestoreDocument['fields']): FirestoreDocument {
  return { name: `projects/demo/databases/(default)/documents/${path}`, fields };
}

function fs(body: string, version: '1' | '2' = '2') {
  return compileRules(
    `rules_version = '${version}';\nservice cloud.firestore {\n  match /databases/{database}/documents {\n${body}\n  }\n}\n`,
  );
}

describe('path matching [RL][RS]', () => {
  const cases: [string, string, '1' | '2', string, RulesMethod, boolean][] = [
    [
      '[RL] literal + {x} matches a document',
      'match /users/{id} { allow read; }',
      '2',
      `${DB}/users/u1`,
      'get',
      true,
    ],
    [
      '[RS] rules do not cascade to subcollections',
      'match /users/{id} { allow read; }',
      '2',
      `${DB}/users/u1/posts/p1`,
      'get',
      false,
    ],
    [
      '[RL] nested match is relative to its parent',
      'match /users/{id} { match /posts/{p} { allow read; } }',
      '2',
      `${DB}/users/u1/posts/p1`,
      'get',
      true,
    ],
    [
      '[RL] partial match only descends (parent allow does not apply)',
      'match /users/{id} { allow read; match /posts/{p} { } }',
      '2',
      `${DB}/users/u1/posts/p1`,
      'get',
      false,
    ],
    [
      '[RL] v2 ** matches zero segments',
      'match /cities/{city}/{doc=**} { allow read; }',
      '2',
      `${DB}/cities/SF`,
      'get',
      true,
    ],
    [
      '[RL] v1 ** needs at least one segment',
      'match /cities/{city}/{doc=**} { allow read; }',
      '1',
      `${DB}/cities/SF`,
      'get',
      false,
    ],
    [
      '[RL] v1 ** matches deeper documents',
      'match /cities/{city}/{doc=**} { allow read; }',
      '1',
      `${DB}/cities/SF/l/x`,
      'get',
      true,
    ],
    [
      '[RL] v2 ** anywhere: collection group rule',
      'match /{path=**}/posts/{post} { allow read; }',
      '2',
      `${DB}/users/u1/posts/p1`,
      'get',
      true,
    ],
    [
      '[RL] v2 ** anywhere matches a root collection too',
      'match /{path=**}/posts/{post} { allow read; }',
      '2',
      `${DB}/posts/p1`,
      'get',
      true,
    ],
    [
      '[RL] {x} matches exactly one segment',
      'match /a/{x} { allow read; }',
      '2',
      `${DB}/a/b/c/d`,
      'get',
      false,
    ],
    ['[HID] {x=*} matches one segment', 'match /a/{x=*} { allow read; }', '2', `${DB}/a/b`, 'get', true],
    ['[RL] literal mismatch', 'match /users/{id} { allow read; }', '2', `${DB}/other/u1`, 'get', false],
    ['[RL] read covers get', 'match /a/{x} { allow read; }', '2', `${DB}/a/b`, 'get', true],
    ['[RL] read covers list', 'match /a/{x} { allow read; }', '2', `${DB}/a`, 'list', true],
    ['[RL] read does not cover create', 'match /a/{x} { allow read; }', '2', `${DB}/a/b`, 'create', false],
    ['[RL] write covers create', 'match /a/{x} { allow write; }', '2', `${DB}/a/b`, 'create', true],
    ['[RL] write covers update', 'match /a/{x} { allow write; }', '2', `${DB}/a/b`, 'update', true],
    ['[RL] write covers delete', 'match /a/{x} { allow write; }', '2', `${DB}/a/b`, 'delete', true],
    ['[RL] get does not cover list', 'match /a/{x} { allow get; }', '2', `${DB}/a`, 'list', false],
    [
      '[RL] update does not cover delete',
      'match /a/{x} { allow update; }',
      '2',
      `${DB}/a/b`,
      'delete',
      false,
    ],
    [
      '[RS] database capture matches any database',
      'match /a/{x} { allow read: if database == "(default)"; }',
      '2',
      `${DB}/a/b`,
      'get',
      true,
    ],
  ];
  it.each(cases)('%s', (_n, body, version, path, method, allowed) => {
    expect(fs(body, version).evaluate(req(method, path)).allowed).toBe(allowed);
  });

  it('[RL] {x=**} binds a path, {x} a string', () => {
    const rs = fs("match /a/{x}/{rest=**} { allow read: if x == 'b' && rest == /c/d && rest is path; }");
    expect(rs.evaluate(req('get', `${DB}/a/b/c/d`)).allowed).toBe(true);
  });
});

describe('decisions and explanations [RL][SREF]', () => {
  const rules = fs(
    [
      '    match /users/{uid} {', // L4
      '      allow read: if request.auth.uid == uid;', // L5
      '      allow update: if false;', // L6
      '      allow update: if resource.data.premium == true;', // L7
      '      allow delete: if 1 / 0 == 0;', // L8
      '      allow delete: if true;', // L9
      '    }',
    ].join('\n'),
  );
  const existing = doc('users/alice', { name: { stringValue: 'A' } });

  it('[RL] any true allow grants; grantedBy names the line', () => {
    const d = rules.evaluate(req('get', `${DB}/users/alice`));
    expect(d.allowed).toBe(true);
    expect(d.grantedBy).toMatchObject({ line: 5, method: 'read', result: 'true' });
    expect(d.message).toBe("Allowed by 'allow read' for 'get' @ L5");
  });

  it("[FT#2155][JS#8544] denial lists each allow: false and error texts in the emulator's format", () => {
    const d = rules.evaluate(req('update', `${DB}/users/alice`, { resource: existing }));
    expect(d.allowed).toBe(false);
    expect(d.message).toBe(
      "false for 'update' @ L6, Property premium is undefined on object. for 'update' @ L7",
    );
    expect(d.evaluated.map((o) => [o.line, o.result])).toEqual([
      [6, 'false'],
      [7, 'error'],
    ]);
  });

  it('[RL] an erroring allow denies only itself: a later true allow still grants', () => {
    const d = rules.evaluate(req('delete', `${DB}/users/alice`, { resource: existing }));
    expect(d.allowed).toBe(true);
    expect(d.grantedBy?.line).toBe(9);
    expect(d.evaluated[0]).toMatchObject({ line: 8, result: 'error', error: 'Division by zero.' });
  });

  it('[FT emulator] "No matching allow statements" when nothing applies', () => {
    const d = rules.evaluate(req('create', `${DB}/users/alice`));
    expect(d).toEqual({ allowed: false, evaluated: [], message: 'No matching allow statements' });
  });

  it('[RL] unauthenticated request: request.auth is null → Null value error', () => {
    const d = rules.evaluate(req('get', `${DB}/users/alice`, { auth: null }));
    expect(d.message).toBe("Null value error. for 'get' @ L5");
  });

  it('[RS] a broader grant wins over a narrower denial', () => {
    const rs = fs('match /{doc=**} { allow read: if true; }\n match /a/{b} { allow read: if false; }');
    expect(rs.evaluate(req('get', `${DB}/a/b`)).allowed).toBe(true);
  });

  it('[SREF] a non-bool condition denies', () => {
    const d = fs('match /a/{b} { allow read: if 1; }').evaluate(req('get', `${DB}/a/b`));
    expect(d.allowed).toBe(false);
    expect(d.evaluated[0]?.result).toBe('error');
  });

  it('[RL] helper functions with lets and captures', () => {
    const rs = fs(`
    function isSignedIn() { return request.auth != null; }
    function isOwner(uid) { let me = request.auth.uid; return isSignedIn() && me == uid; }
    match /users/{uid} { allow read: if isOwner(uid); }`);
    expect(rs.evaluate(req('get', `${DB}/users/alice`)).allowed).toBe(true);
    expect(rs.evaluate(req('get', `${DB}/users/bob`)).allowed).toBe(false);
  });

  it('[R.debug] debug() passes values to onDebug in the emulator log format', () => {
    const logs: string[] = [];
    const rs = fs("match /a/{b} { allow read: if debug(b) == 'x' && debug(true); }");
    expect(rs.evaluate(req('get', `${DB}/a/x`, { onDebug: (m) => logs.push(m) })).allowed).toBe(true);
    expect(logs).toEqual(['string_value: "x"', 'bool_value: true']);
  });

  it('[RN] request.writeFields (deprecated) is exposed when the host supplies it', () => {
    const rs = fs("match /a/{b} { allow update: if request.writeFields.hasOnly(['title']); }");
    expect(rs.evaluate(req('update', `${DB}/a/x`, { writeFields: ['title'] })).allowed).toBe(true);
    expect(rs.evaluate(req('update', `${DB}/a/x`, { writeFields: ['title', 'owner'] })).allowed).toBe(false);
  });

  it('[RC] request.time equality with a server timestamp written by the request', () => {
    const rs = fs('match /a/{b} { allow create: if request.resource.data.createdAt == request.time; }');
    const rr = doc('a/x', { createdAt: { timestampValue: '2024-03-15T10:20:30Z' } });
    expect(rs.evaluate(req('create', `${DB}/a/x`, { requestResource: rr })).allowed).toBe(true);
  });
});

describe('list queries: rules are not filters [RQ]', () => {
  const rs = fs(`
    match /threads/{uid}/messages/{id} {
      allow list: if resource.data.owner == request.auth.uid;
    }
    match /content/{id} {
      allow list: if request.query.limit <= 10 || resource.data.tier == 'free';
    }
    match /{path=**}/posts/{post} {
      allow read: if resource.data.public == true;
    }
    match /plain/{id} { allow list: if id == 'x'; }
    match /open/{id} { allow list: if true; }
  `);
  const q = (constraints: NonNullable<RulesRequest['query']>['constraints'], extra = {}) => ({
    query: { constraints, ...extra },
  });

  it('[RQ] rules are not filters: an == constraint proves resource.data.owner', () => {
    const d = rs.evaluate(
      req(
        'list',
        `${DB}/threads/alice/messages`,
        q([{ fieldPath: 'owner', op: '==', value: { stringValue: 'alice' } }]),
      ),
    );
    expect(d.allowed).toBe(true);
  });

  it('[RQ] rules are not filters: without a constraint the query is denied', () => {
    const d = rs.evaluate(req('list', `${DB}/threads/alice/messages`, q([])));
    expect(d.allowed).toBe(false);
    expect(d.message).toContain("for 'list' @ L6");
    expect(d.message).toContain('not constrained by the query');
  });

  it('[RQ] rules are not filters: a constraint on another value is denied', () => {
    const d = rs.evaluate(
      req(
        'list',
        `${DB}/threads/alice/messages`,
        q([{ fieldPath: 'owner', op: '==', value: { stringValue: 'bob' } }]),
      ),
    );
    expect(d.allowed).toBe(false);
  });

  it('[RQ] rules are not filters: a range constraint does not prove equality', () => {
    const d = rs.evaluate(
      req(
        'list',
        `${DB}/threads/alice/messages`,
        q([{ fieldPath: 'owner', op: '>=', value: { stringValue: 'alice' } }]),
      ),
    );
    expect(d.allowed).toBe(false);
  });

  it('[RQ] rules are not filters: each value of an in filter is checked separately', () => {
    const inQ = (vals: string[]) =>
      q([
        {
          fieldPath: 'owner',
          op: 'in',
          value: { arrayValue: { values: vals.map((v) => ({ stringValue: v })) } },
        },
      ]);
    expect(rs.evaluate(req('list', `${DB}/threads/alice/messages`, inQ(['alice']))).allowed).toBe(true);
    expect(rs.evaluate(req('list', `${DB}/threads/alice/messages`, inQ(['alice', 'bob']))).allowed).toBe(
      false,
    );
  });

  it('[RQ] request.query.limit is exposed; missing limit does not pass <= 10', () => {
    expect(rs.evaluate(req('list', `${DB}/content`, q([], { limit: 10 }))).allowed).toBe(true);
    expect(rs.evaluate(req('list', `${DB}/content`, q([], { limit: 11 }))).allowed).toBe(false);
    expect(rs.evaluate(req('list', `${DB}/content`, q([]))).allowed).toBe(false);
    const free = q([{ fieldPath: 'tier', op: '==', value: { stringValue: 'free' } }]);
    expect(rs.evaluate(req('list', `${DB}/content`, free)).allowed).toBe(true);
  });

  it("[RQ] request.query: offset (0 when unset), limit (null when unset), orderBy as a map of field to 'ASC'/'DESC' (Google's emulator, issue 18 harness)", () => {
    const r2 = fs(
      "match /c/{id} { allow list: if request.query.offset == 0 && request.query.limit == null && request.query.orderBy == {'a': 'DESC'}; }",
    );
    expect(r2.evaluate(req('list', `${DB}/c`, q([], { orderBy: { a: 'DESC' } }))).allowed).toBe(true);
    expect(r2.evaluate(req('list', `${DB}/c`, q([], { orderBy: { a: 'ASC' } }))).allowed).toBe(false);
    expect(r2.evaluate(req('list', `${DB}/c`, q([], { offset: 1, orderBy: { a: 'DESC' } }))).allowed).toBe(
      false,
    );
    const r3 = fs('match /c/{id} { allow list: if request.query.orderBy.size() == 0; }');
    expect(r3.evaluate(req('list', `${DB}/c`, q([]))).allowed).toBe(true);
  });

  it('[HID paths] the unknown document id is unbound: using the wildcard errors', () => {
    const d = rs.evaluate(req('list', `${DB}/plain`, q([])));
    expect(d.allowed).toBe(false);
    expect(d.message).toBe("Null value error. for 'list' @ L14");
    expect(rs.evaluate(req('list', `${DB}/open`, q([]))).allowed).toBe(true);
  });

  it('[RQ] nested field constraints (a.b == v) prove resource.data.a.b', () => {
    const r2 = fs("match /c/{id} { allow list: if resource.data.meta.owner == 'alice'; }");
    const d = r2.evaluate(
      req('list', `${DB}/c`, q([{ fieldPath: 'meta.owner', op: '==', value: { stringValue: 'alice' } }])),
    );
    expect(d.allowed).toBe(true);
  });

  it('[RQ] collection-group queries need a ** rule', () => {
    const pub = q([{ fieldPath: 'public', op: '==', value: { booleanValue: true } }], {
      collectionGroup: true,
    });
    expect(rs.evaluate(req('list', `${DB}/posts`, pub)).allowed).toBe(true);
    const narrow = fs('match /posts/{id} { allow list: if true; }');
    expect(narrow.evaluate(req('list', `${DB}/posts`, pub)).allowed).toBe(false);
    expect(narrow.evaluate(req('list', `${DB}/posts`, q([]))).allowed).toBe(true);
  });
});

// A query that bounds a field without pinning it proves a rule when the bound decides the rule's
// comparison for every document it can return (the rules runtime's constraint comparators EQ, NEQ,
// GT, GTE, LT, LTE, LIST_CONTAINS [FT-S]); the docs' examples [RQ] only show ==, so where a
// bound leaves the answer open, the rule is unknown and denies, as for an unconstrained field.
describe('list queries: range, != and array-contains bounds [RQ][FT-S]', () => {
  type C = NonNullable<RulesRequest['query']>['constraints'][number];
  const list = (rules: string, constraints: C[]) =>
    fs(rules).evaluate(req('list', `${DB}/items`, { query: { constraints } })).allowed;
  const int = (n: number) => ({ integerValue: String(n) });
  const str = (v: string) => ({ stringValue: v });
  const under100 = 'match /items/{id} { allow list: if resource.data.price < 100; }';

  it.each([
    ['price < 50', [{ fieldPath: 'price', op: '<', value: int(50) }], true],
    ['price < 100', [{ fieldPath: 'price', op: '<', value: int(100) }], true],
    ['price <= 99.5', [{ fieldPath: 'price', op: '<=', value: { doubleValue: 99.5 } }], true],
    ['price <= 100', [{ fieldPath: 'price', op: '<=', value: int(100) }], false],
    ['price < 150', [{ fieldPath: 'price', op: '<', value: int(150) }], false],
    ['price > 10 only', [{ fieldPath: 'price', op: '>', value: int(10) }], false],
    [
      '10 < price < 20',
      [
        { fieldPath: 'price', op: '>', value: int(10) },
        { fieldPath: 'price', op: '<', value: int(20) },
      ],
      true,
    ],
    [
      'price < "z" (strings: comparing with 100 is an error)',
      [{ fieldPath: 'price', op: '<', value: str('z') }],
      false,
    ],
    ['price == 5 (pinned)', [{ fieldPath: 'price', op: '==', value: int(5) }], true],
  ] as [string, C[], boolean][])('price < 100 with %s: %s', (_what, constraints, allowed) => {
    expect(list(under100, constraints)).toBe(allowed);
  });

  it('decides the reversed comparison and a false one the same way', () => {
    const reversed = 'match /items/{id} { allow list: if 100 > resource.data.price; }';
    expect(list(reversed, [{ fieldPath: 'price', op: '<', value: int(50) }])).toBe(true);
    // Proven false is a plain false: `|| true` still allows, where an unknown would have to error.
    const notOver = 'match /items/{id} { allow list: if !(resource.data.price >= 100); }';
    expect(list(notOver, [{ fieldPath: 'price', op: '<', value: int(100) }])).toBe(true);
    expect(list(notOver, [{ fieldPath: 'price', op: '>=', value: int(100) }])).toBe(false);
  });

  it('proves membership from array-contains, and only for the value it names', () => {
    const member = 'match /items/{id} { allow list: if request.auth.uid in resource.data.members; }';
    expect(list(member, [{ fieldPath: 'members', op: 'array-contains', value: str('alice') }])).toBe(true);
    expect(list(member, [{ fieldPath: 'members', op: 'array-contains', value: str('bob') }])).toBe(false);
    expect(list(member, [])).toBe(false);
  });

  it('proves != from !=, not-in, or a range that leaves the value out', () => {
    const live = "match /items/{id} { allow list: if resource.data.status != 'deleted'; }";
    expect(list(live, [{ fieldPath: 'status', op: '!=', value: str('deleted') }])).toBe(true);
    const notIn = { arrayValue: { values: [str('deleted'), str('draft')] } };
    expect(list(live, [{ fieldPath: 'status', op: 'not-in', value: notIn }])).toBe(true);
    expect(list(live, [{ fieldPath: 'status', op: '>', value: str('e') }])).toBe(true);
    expect(list(live, [{ fieldPath: 'status', op: '>', value: str('a') }])).toBe(false);
    expect(list(live, [{ fieldPath: 'status', op: '!=', value: str('draft') }])).toBe(false);
    // A range on numbers leaves out every string.
    expect(list(live, [{ fieldPath: 'status', op: '>', value: int(0) }])).toBe(true);
  });

  it('leaves everything else about a bounded field unknown', () => {
    const typed = 'match /items/{id} { allow list: if resource.data.price is number; }';
    expect(list(typed, [{ fieldPath: 'price', op: '<', value: int(50) }])).toBe(false);
    const sized = 'match /items/{id} { allow list: if resource.data.members.size() < 10; }';
    expect(list(sized, [{ fieldPath: 'members', op: 'array-contains', value: str('alice') }])).toBe(false);
  });
});

describe('document access: get/exists/getAfter/existsAfter [R.fs][RC]', () => {
  const users: Record<string, FirestoreDocument> = {
    [`${DB}/users/alice`]: doc('users/alice', { staff: { booleanValue: true } }),
    [`${DB}/users/bob`]: doc('users/bob', { staff: { booleanValue: false } }),
  };
  const calls: string[] = [];
  const documents = {
    get: (p: string) => {
      calls.push(p);
      return users[p] ?? null;
    },
  };
  const rs = fs(`
    function isStaff() { return get(/databases/$(database)/documents/users/$(request.auth.uid)).data.staff == true; }
    match /a/{id} {
      allow get: if isStaff();
      allow list: if exists(/databases/$(database)/documents/users/$(request.auth.uid));
      allow create: if getAfter(/databases/$(database)/documents/a/$(id)).data.v == 1;
      allow update: if existsAfter(/databases/$(database)/documents/a/$(id)) == false;
      allow delete: if get(/databases/$(database)/documents/users/nobody) == null;
    }
    match /many/{n} {
      allow get: if ${Array.from({ length: 11 }, (_, i) => `exists(/databases/$(database)/documents/x/d${i})`).join(' || ')} || true;
      allow list: if ${Array.from({ length: 10 }, () => 'exists(/databases/$(database)/documents/x/same)').join(' || ')} || true;
    }
  `);

  it('[RC] get() returns the document (.data)', () => {
    expect(rs.evaluate(req('get', `${DB}/a/1`, { documents })).allowed).toBe(true);
    expect(rs.evaluate(req('get', `${DB}/a/1`, { documents, auth: { uid: 'bob', token: {} } })).allowed).toBe(
      false,
    );
  });

  it('[RC] exists() is true/false', () => {
    expect(rs.evaluate(req('list', `${DB}/a`, { documents, query: { constraints: [] } })).allowed).toBe(true);
    const d = rs.evaluate(
      req('list', `${DB}/a`, { documents, auth: { uid: 'zed', token: {} }, query: { constraints: [] } }),
    );
    expect(d.message).toBe("false for 'list' @ L8");
  });

  it('[FT#2067] get() of a missing document is an error, not null', () => {
    const d = rs.evaluate(req('delete', `${DB}/a/1`, { documents }));
    expect(d.allowed).toBe(false);
    expect(d.evaluated[0]?.error).toContain('Service call error. Function: [get]');
  });

  it('[RC] getAfter() sees the pending write through the accessor', () => {
    const after = doc('a/1', { v: { integerValue: '1' } });
    const d = rs.evaluate(
      req('create', `${DB}/a/1`, { documents: { get: () => null, getAfter: () => after } }),
    );
    expect(d.allowed).toBe(true);
  });

  it('[RC] getAfter() without a batch view falls back to request.resource for the target', () => {
    const rr = doc('a/1', { v: { integerValue: '1' } });
    expect(rs.evaluate(req('create', `${DB}/a/1`, { documents, requestResource: rr })).allowed).toBe(true);
  });

  it('[RC] existsAfter() is false for a deleted target', () => {
    const d = rs.evaluate(
      req('update', `${DB}/a/1`, { documents: { get: () => null, getAfter: () => null } }),
    );
    expect(d.allowed).toBe(true);
  });

  it('[RC] more than 10 distinct document accesses deny a single-document request', () => {
    const d = rs.evaluate(req('get', `${DB}/many/1`, { documents }));
    expect(d.allowed).toBe(false);
    expect(d.message).toContain('Exceeded maximum of 10 document access calls');
  });

  it('[RC] batches and transactions may make 20 accesses (accessLimit: 20)', () => {
    expect(rs.evaluate(req('get', `${DB}/many/1`, { documents, accessLimit: 20 })).allowed).toBe(true);
  });

  it('[RC] repeated access to one document is cached and counts once', () => {
    calls.length = 0;
    const d = rs.evaluate(req('list', `${DB}/many`, { documents, query: { constraints: [] } }));
    expect(d.allowed).toBe(true);
    expect(calls).toEqual([`${DB}/x/same`]);
  });

  it('[R.fs] document access without an accessor is an evaluation error', () => {
    const d = rs.evaluate(req('get', `${DB}/a/1`));
    expect(d.allowed).toBe(false);
    expect(d.evaluated[0]?.result).toBe('error');
  });

  it('[R.fs] a non-document path is an evaluation error', () => {
    const r2 = fs('match /a/{id} { allow get: if exists(/databases/$(database)/documents/users); }');
    expect(r2.evaluate(req('get', `${DB}/a/1`, { documents })).evaluated[0]?.error).toContain(
      'not a document path',
    );
  });

  it('evaluate() refuses async accessors with a clear Error', () => {
    const asyncDocs = { get: async () => null };
    expect(() => rs.evaluate(req('get', `${DB}/a/1`, { documents: asyncDocs }))).toThrow(/evaluateAsync/);
  });

  it('evaluateAsync() awaits async accessors and keeps counting per distinct document', async () => {
    let n = 0;
    const asyncDocs = {
      get: async (p: string) => {
        n++;
        return users[p] ?? null;
      },
    };
    expect((await rs.evaluateAsync(req('get', `${DB}/a/1`, { documents: asyncDocs }))).allowed).toBe(true);
    expect(n).toBe(1);
    const d = await rs.evaluateAsync(req('get', `${DB}/many/1`, { documents: asyncDocs }));
    expect(d.allowed).toBe(false);
    expect(d.message).toContain('Exceeded maximum of 10');
    expect(
      (await rs.evaluateAsync(req('get', `${DB}/many/1`, { documents: asyncDocs, accessLimit: 20 }))).allowed,
    ).toBe(true);
  });

  it('evaluateAsync() turns a rejected fetch into an evaluation error of that allow', async () => {
    const failing = { get: async () => Promise.reject(new Error('network down')) };
    const d = await rs.evaluateAsync(req('get', `${DB}/a/1`, { documents: failing }));
    expect(d.allowed).toBe(false);
    expect(d.evaluated[0]?.error).toContain('network down');
  });
});

describe('Storage rules [SCS][SREF]', () => {
  const rs = compileRules(`rules_version = '2';
service firebase.storage {
  match /b/{bucket}/o {
    match /uploads/{uid}/{uploadId}/{fileName} {
      allow read: if request.auth.uid == uid;
      allow create: if request.auth.uid == uid && request.resource.size < 5 * 1024 * 1024
        && request.resource.contentType.matches('image/.*|application/zip');
    }
    match /content/premium/{all=**} {
      allow read: if firestore.get(/databases/(default)/documents/users/$(request.auth.uid)).data.premium == true;
    }
    match /content/free/{all=**} {
      allow read: if firestore.exists(/databases/(default)/documents/users/$(request.auth.uid));
    }
  }
}`);
  const B = '/b/bkt/o';
  const obj = (size: number, contentType: string) => ({
    name: 'x',
    bucket: 'bkt',
    size,
    contentType,
    metadata: {},
  });
  const firestore = {
    get: (p: string) =>
      p.endsWith('/alice') ? doc('users/alice', { premium: { booleanValue: true } }) : null,
  };

  it.each<[string, RulesRequest, boolean]>([
    ['[SCS] owner reads own upload (get)', req('get', `${B}/uploads/alice/u1/a.png`), true],
    ['[SCS] read covers list (v2)', req('list', `${B}/uploads/alice/u1/a.png`), true],
    ['[SCS] other users cannot read', req('get', `${B}/uploads/bob/u1/a.png`), false],
    [
      '[SREF] create under size and type rules',
      req('create', `${B}/uploads/alice/u1/a.png`, { requestResource: obj(100, 'image/png') }),
      true,
    ],
    [
      '[SREF] create over 5 MB is denied',
      req('create', `${B}/uploads/alice/u1/a.png`, { requestResource: obj(6e6, 'image/png') }),
      false,
    ],
    [
      '[SREF] create with a bad type is denied',
      req('create', `${B}/uploads/alice/u1/a.exe`, { requestResource: obj(1, 'application/x-msdownload') }),
      false,
    ],
    [
      '[SCS] update is not granted by create',
      req('update', `${B}/uploads/alice/u1/a.png`, { requestResource: obj(1, 'image/png') }),
      false,
    ],
    [
      '[SREF] firestore.get cross-service grants premium',
      req('get', `${B}/content/premium/video.mp4`, { firestore }),
      true,
    ],
    [
      '[SREF] firestore.get of a missing user doc denies',
      req('get', `${B}/content/premium/v.mp4`, { firestore, auth: { uid: 'bob', token: {} } }),
      false,
    ],
    ['[SREF] firestore.exists', req('get', `${B}/content/free/a/b/c.pdf`, { firestore }), true],
  ])('%s', (_n, r, allowed) => {
    expect(rs.evaluate(r).allowed).toBe(allowed);
  });

  it('[FT#10302] Storage list under rules_version 1 is denied', () => {
    const v1 = compileRules(
      'service firebase.storage { match /b/{bucket}/o { match /{all=**} { allow read; } } }',
    );
    expect(v1.evaluate(req('get', '/b/bkt/o/a/b')).allowed).toBe(true);
    const d = v1.evaluate(req('list', '/b/bkt/o/a'));
    expect(d.allowed).toBe(false);
    expect(d.message).toContain("rules_version = '2'");
  });

  it('[FT-S runtime.ts] firestore.get/exists are capped at 2 distinct documents per request', () => {
    const r3 = compileRules(`rules_version = '2';
service firebase.storage { match /b/{bucket}/o/{all=**} {
  allow read: if firestore.exists(/databases/(default)/documents/u/a) && firestore.exists(/databases/(default)/documents/u/b)
    && firestore.exists(/databases/(default)/documents/u/c);
} }`);
    const d = r3.evaluate(req('get', '/b/bkt/o/x', { firestore: { get: () => doc('u/a', {}) } }));
    expect(d.allowed).toBe(false);
    expect(d.message).toContain('Exceeded maximum of 2 document access calls');
  });

  it('[SREF] Storage evaluateAsync with an async Firestore accessor', async () => {
    const asyncFs = { get: async (p: string) => firestore.get(p) };
    expect(
      (await rs.evaluateAsync(req('get', `${B}/content/premium/v.mp4`, { firestore: asyncFs }))).allowed,
    ).toBe(true);
  });
});

describe('error positions and host-value edge cases', () => {
  it('[emulator "evaluation error at L14:28"] errorAt points at the failing sub-expression', () => {
    const rs = fs(
      'match /a/{b} {\n      allow update: if request.auth != null && resource.data.premium == true;\n    }',
    );
    const d = rs.evaluate(req('update', `${DB}/a/x`, { resource: doc('a/x', {}) }));
    expect(d.evaluated[0]).toMatchObject({
      line: 5,
      result: 'error',
      error: 'Property premium is undefined on object.',
      errorAt: { line: 5, column: 62 },
    });
  });

  it('[R.fsRes] a document without `fields` is an empty document', () => {
    const rs = fs("match /a/{b} { allow get: if resource.data.size() == 0 && resource.id == 'x'; }");
    const empty = { name: 'projects/p/databases/(default)/documents/a/x' } as FirestoreDocument;
    expect(rs.evaluate(req('get', `${DB}/a/x`, { resource: empty })).allowed).toBe(true);
  });

  it('[R.Integer] a malformed or out-of-range integerValue is an evaluation error', () => {
    const rs = fs('match /a/{b} { allow get: if resource.data.n > 0; }');
    for (const bad of ['12x', '99999999999999999999']) {
      const d = rs.evaluate(req('get', `${DB}/a/x`, { resource: doc('a/x', { n: { integerValue: bad } }) }));
      expect(d.allowed).toBe(false);
      expect(d.evaluated[0]?.error).toMatch(/Malformed integer|overflow/);
    }
  });

  it('[SREF] JS numbers: whole numbers are ints, others floats', () => {
    const rs = compileRules(
      "rules_version = '2'; service firebase.storage { match /b/{b}/o/{p=**} { allow write: if request.resource.size is int && request.resource.metadata.ratio is float && request.resource.metadata.huge is float; } }",
    );
    const rr = { name: 'p', size: 10, metadata: { ratio: 0.5, huge: 1e300 } };
    expect(rs.evaluate(req('create', '/b/bkt/o/p', { requestResource: rr })).allowed).toBe(true);
  });

  it('an invalid request.time is an evaluation error, not a crash', () => {
    const rs = fs('match /a/{b} { allow get: if request.time > timestamp.value(0); }');
    const d = rs.evaluate(req('get', `${DB}/a/x`, { time: new Date(Number.NaN) }));
    expect(d.evaluated[0]).toMatchObject({ result: 'error', error: 'Invalid date.' });
  });
});

describe('request-wide limits deny the whole request [RS limits table]', () => {
  it('[RS] more than 1,000 evaluated expressions deny, even if a later allow would grant', () => {
    const long = Array.from({ length: 1100 }, () => '1 == 1').join(' && ');
    const rs = fs(`match /a/{b} {\n      allow get: if ${long};\n      allow get: if true;\n    }`);
    const d = rs.evaluate(req('get', `${DB}/a/x`));
    expect(d.allowed).toBe(false);
    expect(d.message).toBe("Exceeded maximum of 1000 expressions evaluated. for 'get' @ L5");
    expect(d.evaluated).toHaveLength(1);
  });
});
