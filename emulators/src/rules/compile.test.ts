import { describe, expect, it } from 'vitest';
import { compileRules, RulesCompileError } from './index.js';

const H = "rules_version = '2';\nservice cloud.firestore {\n  match /databases/{database}/documents {\n";
const T = '\n  }\n}\n';

function compileError(src: string): RulesCompileError {
  try {
    compileRules(src);
  } catch (e) {
    if (e instanceof RulesCompileError) return e;
    throw e;
  }
  throw new Error('expected a compile error');
}

/** [name, source, "line:column", message fragment]. Lines 1–3 are the header H. */
const errors: [string, string, string, string][] = [
  [
    'syntax: unexpected } (missing nothing, extra brace)',
    `${H}    match /a/{b} {\n      allow read: if true\n    }\n  }${T}`,
    '9:1',
    "Unexpected '}'",
  ],
  [
    '[RL] unknown function',
    `${H}    match /a/{b} {\n      allow read: if foo();\n    }${T}`,
    '5:22',
    "Unknown function 'foo'",
  ],
  [
    '[RL] unknown variable',
    `${H}    match /a/{b} {\n      allow read: if bar == 1;\n    }${T}`,
    '5:22',
    "Unknown variable 'bar'",
  ],
  [
    '[R] unknown method',
    `${H}    match /a/{b} {\n      allow read: if 'a'.nope();\n    }${T}`,
    '5:26',
    "Unknown method 'nope'",
  ],
  [
    '[R.String] wrong method arity',
    `${H}    match /a/{b} {\n      allow read: if 'a'.matches();\n    }${T}`,
    '5:26',
    "'matches' expects 1",
  ],
  [
    '[RL] wrong function arity',
    `${H}    function f(x) { return x; }\n    match /a/{b} {\n      allow read: if f(1, 2);\n    }${T}`,
    '6:22',
    "'f' expects 1 argument(s) but got 2",
  ],
  [
    '[RS] direct recursion is rejected',
    `${H}    function f() { return f(); }\n    match /a/{b} {\n      allow read: if f();\n    }${T}`,
    '4:27',
    "'f' calls itself",
  ],
  [
    '[RS] cyclic recursion is rejected',
    `${H}    function f() { return g(); }\n    function g() { return f(); }\n    match /a/{b} {\n      allow read: if f();\n    }${T}`,
    '5:27',
    'f -> g -> f',
  ],
  [
    '[RL] at most one ** per match path (v2)',
    `${H}    match /{a=**}/b/{c=**} {\n      allow read: if true;\n    }${T}`,
    '4:21',
    'Only one recursive wildcard',
  ],
  [
    '[RL] unknown allow method',
    `${H}    match /a/{b} {\n      allow reed: if true;\n    }${T}`,
    '5:13',
    "Unknown method 'reed'",
  ],
  [
    'syntax: two expressions without an operator',
    `${H}    match /a {\n      allow read: if true false;\n    }${T}`,
    '5:27',
    "Unexpected 'false'",
  ],
  [
    'syntax: missing operand',
    `${H}    match /a/{b} {\n      allow read: if 1 +;\n    }${T}`,
    '5:25',
    "Unexpected ';'",
  ],
  [
    'syntax: trailing input',
    `${H}    match /a/{b} {\n      allow read: if true;\n    }\n  }\n}\nextra`,
    '9:1',
    "Unexpected 'extra'",
  ],
  [
    '[RL] unknown type after is',
    `${H}    match /a/{b} {\n      allow read: if 1 is strin;\n    }${T}`,
    '5:22',
    "Unknown type 'strin'",
  ],
  [
    '[RS] more than 7 function parameters',
    `${H}    function f(a, b, c, d, e, g, h, i) { return true; }${T}`,
    '4:5',
    'the limit is 7',
  ],
  [
    '[RS] more than 10 let bindings',
    `${H}    function f() { ${Array.from({ length: 11 }, (_, i) => `let v${i} = ${i};`).join(' ')} return true; }${T}`,
    '4:5',
    'the limit is 10',
  ],
  [
    'syntax: unterminated string',
    `${H}    match /a/{b} {\n      allow read: if 'abc;\n    }${T}`,
    '5:22',
    'Unterminated string',
  ],
  [
    '[RL] malformed path variable',
    `${H}    match /a/{b {\n      allow read: if true;\n    }${T}`,
    '4:14',
    'Invalid path variable',
  ],
  [
    '[R.math] unknown namespace function',
    `${H}    match /a/{b} {\n      allow read: if math.nope(1);\n    }${T}`,
    '5:27',
    "Unknown function 'math.nope'",
  ],
  [
    'syntax: single & is not an operator',
    `${H}    match /a/{b} {\n      allow read: if true & false;\n    }${T}`,
    '5:27',
    "Did you mean '&&'",
  ],
  ['[RL] unterminated block comment', `${H}    /* unterminated${T}`, '4:5', 'Unterminated comment'],
  [
    '[SREF] firestore.get is Storage-only',
    `${H}    match /a/{b} {\n      allow read: if firestore.get(/x/y) != null;\n    }${T}`,
    '5:22',
    'only available in Storage rules',
  ],
  [
    '[RL] v1: ** must be the last segment',
    'service cloud.firestore { match /a/{b=**}/c { allow read; } }',
    '1:36',
    'must be the last path segment',
  ],
  [
    "[RL] rules_version must be '1' or '2'",
    "rules_version = '3'; service cloud.firestore {}",
    '1:17',
    'Invalid rules_version',
  ],
  [
    '[SREF] service name cloud.storage is invalid',
    'service cloud.storage {}',
    '1:9',
    "Unknown service 'cloud.storage'",
  ],
  [
    "[RL] let requires rules_version '2'",
    'service cloud.firestore { function f() { let a = 1; return a; } }',
    '1:42',
    "require rules_version = '2'",
  ],
  ['[RL] function body needs return', `${H}    function f() { true }${T}`, '4:20', "Expected 'return'"],
  [
    '[RL] allow needs if after colon',
    `${H}    match /a {\n      allow read: true;\n    }${T}`,
    '5:19',
    "Expected 'if'",
  ],
  ['[RL] missing service', "rules_version = '2';\nmatch /a {}", '2:1', "Expected 'service'"],
  [
    '[RL] allow outside match',
    'service cloud.firestore {\n  allow read;\n}',
    '2:3',
    "Expected 'match' or 'function'",
  ],
  [
    '[RL] empty path segment',
    'service cloud.firestore { match /a//b { allow read; } }',
    '1:36',
    'Empty path segment',
  ],
  [
    '[RL] duplicate function in one scope',
    `${H}    function f() { return 1; }\n    function f() { return 2; }${T}`,
    '5:5',
    'already defined',
  ],
  [
    '[R.Bytes] \\x escape needs two hex digits',
    `${H}    match /a {\n      allow read: if b'\\x4' == b'';\n    }${T}`,
    '5:24',
    'two hex digits',
  ],
  [
    '[R.Integer] int literal out of range',
    `${H}    match /a {\n      allow read: if 9223372036854775808 > 0;\n    }${T}`,
    '5:22',
    'out of range',
  ],
  [
    '[RL] function parameters are not visible outside',
    `${H}    function f(x) { return x; }\n    match /a {\n      allow read: if x;\n    }${T}`,
    '6:22',
    "Unknown variable 'x'",
  ],
  [
    '[RL] captures of a sibling match are not visible',
    `${H}    match /a/{id} { allow read: if true; }\n    match /b/{other} {\n      allow read: if id == other;\n    }${T}`,
    '6:22',
    "Unknown variable 'id'",
  ],
  [
    '[RL] invalid escape sequence',
    `${H}    match /a {\n      allow read: if 'a\\qb' == '';\n    }${T}`,
    '5:24',
    'Invalid escape',
  ],
  [
    '[R.timestamp] namespace arity',
    `${H}    match /a {\n      allow read: if timestamp.date(2020, 1) != null;\n    }${T}`,
    '5:32',
    'expects 3',
  ],
  [
    '[R.fs] get() arity',
    `${H}    match /a {\n      allow read: if exists();\n    }${T}`,
    '5:22',
    "'exists' expects 1",
  ],
  [
    '[SREF] get() is not a Storage function',
    "rules_version = '2';\nservice firebase.storage {\n  match /b/{b}/o {\n    allow read: if exists(/x/y);\n  }\n}",
    '4:20',
    "Unknown function 'exists'",
  ],
  [
    '[RL] bare namespace member is not a value',
    `${H}    match /a {\n      allow read: if math.pi > 3;\n    }${T}`,
    '5:27',
    "Unknown member 'math.pi'",
  ],
];

describe('compile errors carry line:column (table)', () => {
  it.each(errors)('%s', (_name, src, at, fragment) => {
    const e = compileError(src);
    const first = e.issues[0];
    expect(`${first?.line}:${first?.column}`).toBe(at);
    expect(first?.message).toContain(fragment);
    expect(e.message).toBe(`L${at}: ${first?.message}`);
  });

  it('reports every checker issue, sorted, not just the first', () => {
    const e = compileError(
      `${H}    match /a {\n      allow read: if foo() && bar;\n      allow write: if baz;\n    }${T}`,
    );
    expect(e.issues.map((i) => `${i.line}:${i.column} ${i.message}`)).toEqual([
      "5:22 Unknown function 'foo'.",
      "5:31 Unknown variable 'bar'.",
      "6:23 Unknown variable 'baz'.",
    ]);
  });
});

const ok: [string, string][] = [
  [
    '[RL] no rules_version means v1',
    'service cloud.firestore { match /databases/{d}/documents { match /a/{b} { allow read: if true; } } }',
  ],
  [
    "[RL] rules_version '1'",
    "rules_version = '1'; service cloud.firestore { match /a/{b=**} { allow read; } }",
  ],
  [
    '[RL] allow without a condition',
    "rules_version = '2'; service cloud.firestore { match /a { allow read; } }",
  ],
  [
    '[RL] // and /* */ comments',
    "// c\nrules_version = '2'; /* block\n comment */ service cloud.firestore { match /a { allow read; // x\n } }",
  ],
  [
    '[RL] semicolons are optional before }',
    "rules_version = '2'; service cloud.firestore { match /a { allow read: if true } }",
  ],
  [
    '[RL] semicolons are optional between statements',
    "rules_version = '2'; service cloud.firestore { match /a { allow read: if true\n allow write: if false\n match /b { allow read } } }",
  ],
  [
    '[RL] multiple methods',
    "rules_version = '2'; service cloud.firestore { match /a { allow get, list, create, update, delete: if false; } }",
  ],
  [
    '[RL] top-level function',
    "rules_version = '2'; service cloud.firestore { function t() { return true; } match /a { allow read: if t(); } }",
  ],
  [
    '[RL] nested functions see captures',
    "rules_version = '2'; service cloud.firestore { match /a/{x} { function f() { return x == 'y'; } match /b { allow read: if f(); } } }",
  ],
  [
    '[RL] {x=*} single-segment wildcard (HID)',
    "rules_version = '2'; service cloud.firestore { match /a/{x=*} { allow read; } }",
  ],
  [
    '[RL] ** in the middle (v2)',
    "rules_version = '2'; service cloud.firestore { match /{p=**}/posts/{id} { allow read; } }",
  ],
  [
    '[SCS] storage service',
    "rules_version = '2'; service firebase.storage { match /b/{bucket}/o { match /{all=**} { allow read: if request.auth != null; } } }",
  ],
  [
    '[R.Path] bind placeholders are not unknown variables',
    "rules_version = '2'; service cloud.firestore { match /a { allow read: if (/x/$(foo)).bind({'foo': 'y'}) == /x/y; } }",
  ],
  [
    '[RL] function shadows by parameter',
    "rules_version = '2'; service cloud.firestore { function f(request) { return request; } match /a { allow read: if f(true); } }",
  ],
];

describe('valid rules compile (table)', () => {
  it.each(ok)('%s', (_name, src) => {
    const rs = compileRules(src);
    expect(['cloud.firestore', 'firebase.storage']).toContain(rs.service);
  });

  it('[RL] reports service and version', () => {
    const rs = compileRules(
      "rules_version = '2'; service firebase.storage { match /b/{b}/o { allow read; } }",
    );
    expect(rs.service).toBe('firebase.storage');
    expect(rs.version).toBe('2');
    expect(compileRules('service cloud.firestore { }').version).toBe('1');
  });

  it('refuses pathologically deep nesting with a compile error, not a crash', () => {
    const deep = `${'('.repeat(20000)}true${')'.repeat(20000)}`;
    expect(() => compileRules(`service cloud.firestore { match /a { allow read: if ${deep}; } }`)).toThrow(
      RulesCompileError,
    );
  });
});
