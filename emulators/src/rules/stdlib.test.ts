import { describe, expect, it } from 'vitest';
import { evalExpr, type Plain } from './test-helpers.js';

/** Expected evaluation error (optionally with a message fragment). */
const ERR = { error: '' } as const;
const err = (fragment: string) => ({ error: fragment });
type Expected = Plain | { error: string };
type Case = [name: string, expr: string, expected: Expected];

const ts = (iso: string, extraNs = 0n) => ({ ts: BigInt(Date.parse(iso)) * 1_000_000n + extraNs });
const dur = (ns: bigint) => ({ dur: ns });
const S = 1_000_000_000n;

const cases: Case[] = [
  // ── Literals and operators [RL] / [R.Integer] / [R.Float] ──
  ['[RL] int literal', '42', 42n],
  ['[RL] negative int literal', '-2', -2n],
  ['[RL] float literal', '3.25', 3.25],
  ['[RL] float exponent literal', '1e3', 1000],
  ['[RL] hex int literal (CEL baseline)', '0x1F', 31n],
  ['[RL] single-quoted string', "'abc'", 'abc'],
  ['[RL] double-quoted string', '"abc"', 'abc'],
  ['[RL] string escapes', "'a\\nb\\'c'", "a\nb'c"],
  ['[RL] unicode escape', "'\\u00e9'", 'é'],
  ['[RL] raw string keeps backslashes', "r'a\\.b'", 'a\\.b'],
  ['[RL] true/false/null literals', '[true, false, null]', [true, false, null]],
  ['[RL] list literal with trailing comma', '[1, 2,]', [1n, 2n]],
  ['[SREF] map literal with trailing comma', "{'a': 1, 'b': 'x',}", { a: 1n, b: 'x' }],
  ['[R.Map] map literal keys must be strings', '{1: 2}', ERR],
  ['[R.Integer] int addition', '1 + 2', 3n],
  ['[R.Integer] int subtraction', '1 - 5', -4n],
  ['[R.Integer] int multiplication', '6 * 7', 42n],
  ['[CEL] int division truncates toward zero', '7 / 2', 3n],
  ['[CEL] negative int division truncates toward zero', '-7 / 2', -3n],
  ['[CEL] modulo takes the dividend sign', '-7 % 3', -1n],
  ['[CEL] modulo positive', '7 % 3', 1n],
  ['[SREF] int division by zero is an error', '1 / 0', err('Division by zero')],
  ['[SREF] int modulo by zero is an error', '1 % 0', err('Modulo by zero')],
  ['[R.Integer] 64-bit overflow on + is an error', '9223372036854775807 + 1', err('overflow')],
  ['[R.Integer] 64-bit overflow on * is an error', '9223372036854775807 * 2', err('overflow')],
  ['[R.Integer] 64-bit underflow on - is an error', '-9223372036854775807 - 2', err('overflow')],
  ['[R.Integer] INT_MIN literal is representable', '-9223372036854775808', -9223372036854775808n],
  ['[R.Integer] INT_MIN / -1 overflows', '-9223372036854775808 / -1', err('overflow')],
  ['[R.Integer] negating INT_MIN overflows', '-(-9223372036854775808)', err('overflow')],
  ['[R.Float] int coerced to float when mixed', '1 + 0.5', 1.5],
  ['[R.Float] float division', '1.0 / 4', 0.25],
  ['[CEL] float division by zero is IEEE infinity', '1.0 / 0.0', Number.POSITIVE_INFINITY],
  ['[R.Float] float multiplication', '2.5 * 2', 5],
  ['[R.String] string concatenation', "'ab' + 'cd'", 'abcd'],
  [
    '[HID] list + list is unsupported',
    '[1] + [2]',
    err('Unsupported operation error. Received: list + list'),
  ],
  ['[SREF] string + int is unsupported', "'a' + 1", err('Unsupported operation')],
  ['[RL] unary minus on expression', '-(2 + 3)', -5n],
  ['[RL] unary minus on float', '-(1.5)', -1.5],
  ['[RL] unary minus on string is an error', "-'a'", ERR],
  ['[RL] precedence: * before +', '2 + 3 * 4', 14n],
  ['[RL] precedence: parentheses', '(2 + 3) * 4', 20n],
  ['[RL] precedence: comparison before &&', '1 < 2 && 2 < 3', true],
  ['[RL] precedence: in before ==', "'a' in ['a'] == true", true],
  ['[RL] precedence: ternary is lowest', 'true ? 1 : 2 + 10', 1n],
  ['[RL] nested ternary (right-assoc)', 'false ? 1 : true ? 2 : 3', 2n],
  ['[RL] ternary condition must be bool', '1 ? 2 : 3', ERR],
  ['[RL] ternary does not evaluate the other branch', 'true ? 1 : 1 / 0', 1n],

  // ── Comparison / equality [SREF][HID] ──
  ['[R.Integer] int == float by value', '1 == 1.0', true],
  ['[HID] int/float not equal inside lists', '[1] == [1.0]', false],
  ['[HID] int/float not equal inside maps', "{'a': 1} == {'a': 1.0}", false],
  ['[SREF] cross-type == is false, not an error', "1 == '1'", false],
  ['[SREF] cross-type != is true', "1 != '1'", true],
  ['[SREF] null == null', 'null == null', true],
  ['[SREF] lists equal element-wise in order', '[1, 2] == [1, 2]', true],
  ['[SREF] lists with different order differ', '[1, 2] == [2, 1]', false],
  ['[SREF] maps equal regardless of key order', "{'a': 1, 'b': 2} == {'b': 2, 'a': 1}", true],
  ['[SREF] maps with different values differ', "{'a': 1} == {'a': 2}", false],
  ['[R.Integer] int ordering', '1 < 2', true],
  ['[R.Float] mixed ordering', '1 <= 1.0', true],
  ['[R.Float] float ordering >', '2.5 > 2', true],
  ['[R.String] string ordering is lexicographic', "'abc' < 'abd'", true],
  ['[R.String] string ordering >=', "'b' >= 'abc'", true],
  ['[HID] ordering bools is a type error', 'true < false', ERR],
  ['[HID] ordering nulls is a type error', 'null < null', ERR],
  ['[SREF] ordering lists is a type error', '[1] < [2]', ERR],
  ['[CEL] NaN compares false', "float('NaN') < 1", false],

  // ── Logical operators and error absorption [SREF error table][CEL] ──
  ['[SREF] false && error is false', 'false && (1 / 0 == 1)', false],
  ['[SREF] error && false is false', '(1 / 0 == 1) && false', false],
  ['[SREF] true && error is error', 'true && (1 / 0 == 1)', err('Division by zero')],
  ['[SREF] error && true is error', '(1 / 0 == 1) && true', err('Division by zero')],
  ['[SREF] true || error is true', 'true || (1 / 0 == 1)', true],
  ['[SREF] error || true is true', '(1 / 0 == 1) || true', true],
  ['[SREF] false || error is error', 'false || (1 / 0 == 1)', err('Division by zero')],
  ['[SREF] error || false is error', '(1 / 0 == 1) || false', err('Division by zero')],
  ['[HID] ! does not absorb errors', '!(1 / 0 == 1)', err('Division by zero')],
  ['[RL] ! negates', '!false', true],
  ['[RL] ! on non-bool is an error', '!1', ERR],
  ['[RL] && on non-bool operand is an error', '1 && true', ERR],
  ['[RL] || returns right bool when left is false', 'false || true', true],
  ['[RF] missing property rescued by ||', 'resource.data.nope == 1 || true', true],

  // ── in / is [R.List][R.Map][R.Set][RL][RF] ──
  ['[R.List] in on list', "'a' in ['a', 'b']", true],
  ['[R.List] in on list (absent)', "'c' in ['a', 'b']", false],
  ['[R.Map] in on map tests keys', "'a' in {'a': 1}", true],
  ['[R.Map] in on map does not test values', "1 in {'a': 1}", ERR],
  ['[R.Set] in on set', "'a' in ['a'].toSet()", true],
  ['[RL] in on a string is an error', "'a' in 'abc'", ERR],
  ['[RL] is bool', 'true is bool', true],
  ['[RL] is int', '1 is int', true],
  ['[RL] is int false for float', '1.0 is int', false],
  ['[RL] is float', '1.0 is float', true],
  ['[RL] is number (int)', '1 is number', true],
  ['[RL] is number (float)', '1.5 is number', true],
  ['[RL] is number false for string', "'1' is number", false],
  ['[RL] is string', "'x' is string", true],
  ['[RL] is list', '[1] is list', true],
  ['[RL] is map', "{'a': 1} is map", true],
  ['[RL] is timestamp', 'request.time is timestamp', true],
  ['[RL] is duration', "duration.value(1, 's') is duration", true],
  ['[RL] is path', '/a/b is path', true],
  ['[RL] is latlng', 'latlng.value(1, 2) is latlng', true],
  ['[RF] is bytes', "b'ab' is bytes", true],
  ['[RF] is set', '[1].toSet() is set', true],
  ['[RF] is map_diff', "{'a': 1}.diff({}) is map_diff", true],
  ['[SREF] is null', 'null is null', true],
  ['[RF] list is not a map', '[1] is map', false],

  // ── Index and range [R.String][R.List][R.Path][SREF] ──
  ['[R.List] index', '[10, 20, 30][1]', 20n],
  ['[R.List] out-of-range index is an error', '[1][5]', err('out of range')],
  ['[R.List] negative index is an error', '[1][-1]', ERR],
  ['[R.List] index must be int', "[1]['a']", ERR],
  ['[R.List] range i:j', '[1, 2, 3, 4][1:3]', [2n, 3n]],
  ['[R.List] range with omitted end', '[1, 2, 3][1:]', [2n, 3n]],
  ['[R.List] range with omitted start', '[1, 2, 3][:2]', [1n, 2n]],
  ['[R.List] out-of-range range is an error', '[1, 2][0:5]', ERR],
  ['[R.List] inverted range is an error', '[1, 2][2:1]', ERR],
  ['[R.String] string index returns one char', "'hello'[1]", 'e'],
  ['[R.String] string range', "'hello'[1:3]", 'el'],
  ['[HID] string index counts UTF-16 units', "'a😀'.size()", 3n],
  ['[R.String] string out-of-range index is an error', "'ab'[2]", ERR],
  ['[R.Map] map index by key', "{'a': 1}['a']", 1n],
  ['[R.Map] map member access', "{'a': {'b': 2}}.a.b", 2n],
  ['[RF] missing key is an error', "{'a': 1}.b", err('Property b is undefined on object.')],
  ['[RF] missing key via index is an error', "{'a': 1}['b']", err('Property b is undefined on object.')],
  ['[SREF] member of null is a Null value error', 'null.a', err('Null value error.')],
  ['[R.Path] path index', '/a/b/c[1]', 'b'],

  // ── String [R.String][SREF] ──
  ['[R.String] lower', "'AbC'.lower()", 'abc'],
  ['[R.String] upper', "'AbC'.upper()", 'ABC'],
  ['[HID] lower maps ASCII only', "'ÀB'.lower()", 'Àb'],
  ['[R.String] trim', "'  a b  '.trim()", 'a b'],
  ['[R.String] size', "'hello'.size()", 5n],
  ['[R.String] size of empty', "''.size()", 0n],
  ['[R.String] toUtf8', "'€'.toUtf8().toHexString()", 'E282AC'],
  ['[R.String] matches is a full match', "'user@domain.com'.matches('.*@domain[.]com')", true],
  ['[R.String] matches is a full match (no partial match)', "'xabcx'.matches('abc')", false],
  ['[R.String] matches with escaped backslash', "'a.txt'.matches('.*\\\\.txt')", true],
  ['[R.String] matches escaped dot does not match other chars', "'atxt'.matches('a\\\\.txt')", false],
  ['[R.String] matches anchors are redundant but allowed', "'abc'.matches('^abc$')", true],
  ['[R.String] matches RE2 character class', "'abc123'.matches('[a-z]+[0-9]+')", true],
  ['[R.String] matches invalid regex is an error', "'a'.matches('(')", err('Invalid regular expression')],
  ['[R.String] matches dynamic pattern', "'abc'.matches('a' + '.c')", true],
  ['[R.String] RE2 rejects backreferences', "'aa'.matches('(a)\\\\1')", ERR],
  [
    '[R.String] matches linear on pathological pattern',
    "'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!'.matches('(a+)+$')",
    false,
  ],
  ['[R.String] split on literal', "'a/b/c'.split('/')", ['a', 'b', 'c']],
  ['[R.String] split is a regex split', "'a1b22c'.split('[0-9]+')", ['a', 'b', 'c']],
  ['[CEL] split keeps trailing empty pieces', "'a/b/'.split('/')", ['a', 'b', '']],
  ['[R.String] replace replaces all matches', "'foo@test.com'.replace('.', '-')", '------------'],
  ['[R.String] replace literal dot with escaped pattern', "'a.b.c'.replace('\\\\.', '-')", 'a-b-c'],
  ['[R.String] replace unchanged if no match', "'abc'.replace('x', 'y')", 'abc'],
  [
    '[R.String] replace with group reference',
    "'john smith'.replace('(\\\\w+) (\\\\w+)', '$2 $1')",
    'smith john',
  ],
  ['[R.String] unknown method on string is an error', "'a'.keys()", err('Function not found')],
  ['[R.String] matches requires string arg', "'a'.matches(1)", ERR],

  // ── Conversions [R.Integer][R.Float][R.String][R.Boolean][R.Path] ──
  ["[R.Integer] int('2')", "int('2')", 2n],
  ['[R.Integer] int(2.0)', 'int(2.0)', 2n],
  ['[R.Integer] int truncates toward zero', 'int(-2.7)', -2n],
  ["[R.Integer] int('abc') is an error", "int('abc')", ERR],
  ["[R.Integer] int('-12')", "int('-12')", -12n],
  ['[R.Integer] int of NaN is an error', "int(float('NaN'))", ERR],
  ['[R.Integer] int overflow from string is an error', "int('9223372036854775808')", ERR],
  ["[R.Float] float('2.2')", "float('2.2')", 2.2],
  ['[R.Float] float(2)', 'float(2)', 2],
  ['[R.Float] float(2) is float', 'float(2) is float', true],
  ["[R.Float] float('x') is an error", "float('x')", ERR],
  ['[R.String] string(true)', 'string(true)', 'true'],
  ['[R.String] string(1)', 'string(1)', '1'],
  ['[R.String] string(2.0) uses Java formatting', 'string(2.0)', '2.0'],
  ['[R.String] string(0.5)', 'string(0.5)', '0.5'],
  ['[R.String] string(1e10) uses Java exponent format', 'string(1e10)', '1.0E10'],
  ['[R.String] string(null)', 'string(null)', 'null'],
  ['[R.String] string(list) is an error', 'string([1])', ERR],
  ["[R.Boolean] bool('true')", "bool('true')", true],
  ["[R.Boolean] bool('false')", "bool('false')", false],
  ["[R.Boolean] bool('yes') is an error", "bool('yes')", ERR],
  ["[R.Path] path('a/b')", "path('a/b')", 'path:/a/b'],
  ["[R.Path] path('/a/b') equals literal", "path('/a/b') == /a/b", true],
  ['[R.debug] debug returns its argument', "debug('alice')", 'alice'],
  ['[R.debug] debug calls nest', 'debug(debug(1) + 1)', 2n],

  // ── List [R.List][SREF] ──
  ['[R.List] size', '[1, 2, 3].size()', 3n],
  ['[R.List] concat', '[1].concat([2, 3])', [1n, 2n, 3n]],
  ['[R.List] concat requires a list', '[1].concat(2)', ERR],
  ['[R.List] hasAll true', "['a', 'b', 'c'].hasAll(['a', 'c'])", true],
  ['[R.List] hasAll false', "['a', 'b'].hasAll(['a', 'z'])", false],
  ['[R.List] hasAll of empty is true', "['a'].hasAll([])", true],
  ['[R.List] hasAny true', "['a', 'b'].hasAny(['z', 'b'])", true],
  ['[R.List] hasAny false', "['a', 'b'].hasAny(['z'])", false],
  ['[R.List] hasAny of empty is false', "['a'].hasAny([])", false],
  ['[R.List] hasOnly ignores duplicates', "['a', 'a', 'b'].hasOnly(['a', 'b', 'b'])", true],
  ['[R.List] hasOnly ignores order', "['a', 'b'].hasOnly(['b', 'a'])", true],
  ['[R.List] hasOnly false', "['a', 'b'].hasOnly(['a', 'c'])", false],
  ['[R.List] hasOnly accepts a set', "['a'].hasOnly(['a', 'b'].toSet())", true],
  ['[R.List] join', "['a', 'b', 'c'].join('/')", 'a/b/c'],
  ['[R.List] join of non-strings is an error', '[1, 2].join(",")', ERR],
  ['[R.List] removeAll', '[1, 2, 3, 2].removeAll([2])', [1n, 3n]],
  ['[R.List] toSet removes duplicates', "['a', 'b', 'a'].toSet() == ['b', 'a'].toSet()", true],
  ['[R.List] toSet size', "['a', 'b', 'a'].toSet().size()", 2n],
  ['[R.List] nested list equality', '[[1], [2]] == [[1], [2]]', true],
  ['[R.List] unknown method on list is an error', '[1].lower()', ERR],

  // ── Map [R.Map][SREF] ──
  ['[R.Map] size', "{'a': 1, 'b': 2}.size()", 2n],
  ['[R.Map] keys (sorted)', "{'b': 1, 'a': 2}.keys()", ['a', 'b']],
  ['[SREF] values in key order', "{'b': 1, 'a': 2}.values()", [2n, 1n]],
  ['[R.Map] get with default (present)', "{'a': 1}.get('a', 0)", 1n],
  ['[R.Map] get with default (absent)', "{'a': 1}.get('b', 7)", 7n],
  ['[R.Map] get default may be any type', "{'a': 1}.get('b', null)", null],
  ['[R.Map] get with list key (nested)', "{'a': {'b': 1}}.get(['a', 'b'], 7)", 1n],
  ['[R.Map] get with list key (absent)', "{'a': {'b': 1}}.get(['a', 'c'], 7)", 7n],
  ['[R.Map] get with list key through non-map', "{'a': 1}.get(['a', 'b'], 7)", 7n],
  ['[R.Map] get with int key is an error', "{'a': 1}.get(1, 7)", ERR],
  ['[R.Map] get takes exactly two args (see checker for arity)', "{'a': 1}.get('a', 0) == 1", true],
  ['[R.Map] diff returns a MapDiff', "{'a': 1}.diff({'a': 1}) is map_diff", true],

  // ── MapDiff [R.MapDiff][RF] ──
  ['[R.MapDiff] addedKeys', "{'a': 1, 'b': 2}.diff({'a': 1}).addedKeys()", { set: ['b'] }],
  ['[R.MapDiff] removedKeys', "{'a': 1}.diff({'a': 1, 'c': 3}).removedKeys()", { set: ['c'] }],
  ['[R.MapDiff] changedKeys', "{'a': 1, 'b': 2}.diff({'a': 2, 'b': 2}).changedKeys()", { set: ['a'] }],
  ['[R.MapDiff] unchangedKeys', "{'a': 1, 'b': 2}.diff({'a': 2, 'b': 2}).unchangedKeys()", { set: ['b'] }],
  [
    '[R.MapDiff] affectedKeys = added ∪ removed ∪ changed',
    "{'a': 1, 'b': 2, 'n': 0}.diff({'a': 9, 'c': 3, 'n': 0}).affectedKeys()",
    { set: ['a', 'b', 'c'] },
  ],
  [
    '[RF] diff().affectedKeys().hasOnly idiom',
    "{'a': 1, 'b': 5}.diff({'a': 1, 'b': 2}).affectedKeys().hasOnly(['b'])",
    true,
  ],
  ['[HID] map diff compares numbers by value', "{'a': 1}.diff({'a': 1.0}).changedKeys().size()", 0n],
  [
    '[R.MapDiff] nested map changes are detected',
    "{'a': {'x': 1}}.diff({'a': {'x': 2}}).changedKeys()",
    { set: ['a'] },
  ],

  // ── Set [R.Set][BLOG20] ──
  [
    '[R.Set] difference is receiver minus argument (per example)',
    "['a', 'b'].toSet().difference(['a', 'c'].toSet()) == ['b'].toSet()",
    true,
  ],
  ['[R.Set] intersection', "['a', 'b'].toSet().intersection(['b', 'c'].toSet())", { set: ['b'] }],
  ['[R.Set] union', "['a'].toSet().union(['b', 'a'].toSet()).size()", 2n],
  ['[R.Set] hasAll', "['a', 'b'].toSet().hasAll(['a'])", true],
  ['[R.Set] hasAny', "['a', 'b'].toSet().hasAny(['x'])", false],
  ['[R.Set] hasOnly', "['a', 'b'].toSet().hasOnly(['a', 'b', 'c'])", true],
  ['[R.Set] size', "['a', 'a'].toSet().size()", 1n],
  ['[R.Set] set equality ignores order', "['a', 'b'].toSet() == ['b', 'a'].toSet()", true],
  ['[HID] sets compare numbers by value', '[1].toSet() == [1.0].toSet()', true],
  ['[R.Set] set arg must be list or set', "['a'].toSet().union('a')", ERR],

  // ── Path [R.Path][RC] ──
  ['[R.Path] literal equality', '/a/b == /a/b', true],
  ['[R.Path] interpolation', "/users/$('bob')/x == /users/bob/x", true],
  ['[RC] interpolation of request.auth.uid', '/users/$(request.auth.uid)', 'path:/users/alice'],
  [
    '[RS] literal with (default)',
    '/databases/(default)/documents/x/y',
    'path:/databases/(default)/documents/x/y',
  ],
  [
    '[RS] interpolating the {database} capture',
    '/databases/$(database)/documents',
    'path:/databases/(default)/documents',
  ],
  [
    '[R.Path] bind fills placeholders',
    "(/path/$(foo)/$(bar)).bind({'foo': 'x', 'bar': 'y'}) == /path/x/y",
    true,
  ],
  ['[R.Path] paths of different length differ', '/a/b == /a', false],
  ['[R.Path] interpolating an int', '/a/$(1)', 'path:/a/1'],
  ['[R.Path] interpolating a list is an error', '/a/$([1])', ERR],
  ['[R.Path] index out of range is an error', '/a/b[2]', ERR],
  ['[R.fsReq] request.path is a path', 'request.path == /databases/(default)/documents/coll/doc1', true],
  ['[R.fsReq] request.path index', 'request.path[3]', 'coll'],

  // ── Timestamp [R.Timestamp][R.timestamp][SREF] ──
  ['[R.fsReq] request.time is a timestamp', 'request.time', ts('2024-03-15T10:20:30.123Z')],
  ['[R.Timestamp] year', 'request.time.year()', 2024n],
  ['[R.Timestamp] month', 'request.time.month()', 3n],
  ['[R.Timestamp] day', 'request.time.day()', 15n],
  ['[R.Timestamp] hours', 'request.time.hours()', 10n],
  ['[R.Timestamp] minutes', 'request.time.minutes()', 20n],
  ['[R.Timestamp] seconds', 'request.time.seconds()', 30n],
  ['[R.Timestamp] nanos', 'request.time.nanos()', 123_000_000n],
  ['[R.Timestamp] dayOfWeek: Friday is 5 (Monday = 1)', 'request.time.dayOfWeek()', 5n],
  ['[R.Timestamp] dayOfWeek: Sunday is 7', 'timestamp.date(2024, 3, 17).dayOfWeek()', 7n],
  ['[R.Timestamp] dayOfYear (leap year)', 'request.time.dayOfYear()', 75n],
  ['[R.Timestamp] dayOfYear Jan 1 is 1', 'timestamp.date(2023, 1, 1).dayOfYear()', 1n],
  ['[R.Timestamp] date() is midnight UTC', 'request.time.date() == timestamp.date(2024, 3, 15)', true],
  [
    '[R.Timestamp] time() is the duration since midnight',
    'request.time.time()',
    dur(37230n * S + 123_000_000n),
  ],
  ['[R.Timestamp] toMillis', 'request.time.toMillis()', 1710498030123n],
  ['[R.timestamp] timestamp.value(ms)', 'timestamp.value(1577836800000)', ts('2020-01-01T00:00:00Z')],
  ['[R.timestamp] timestamp.date(y, m, d)', 'timestamp.date(2020, 1, 1)', ts('2020-01-01T00:00:00Z')],
  ['[R.timestamp] timestamp.date with invalid month is an error', 'timestamp.date(2020, 13, 1)', ERR],
  ['[R.timestamp] timestamp.date Feb 30 is an error', 'timestamp.date(2021, 2, 30)', ERR],
  ['[R.Timestamp] timestamp out of range is an error', 'timestamp.value(253402300800000)', ERR],
  [
    '[SREF] timestamp + duration',
    "timestamp.date(2020, 1, 1) + duration.value(1, 'd') == timestamp.date(2020, 1, 2)",
    true,
  ],
  [
    '[SREF] duration + timestamp',
    "duration.value(1, 'd') + timestamp.date(2020, 1, 1) == timestamp.date(2020, 1, 2)",
    true,
  ],
  [
    '[SREF] timestamp - duration',
    "timestamp.date(2020, 1, 2) - duration.value(24, 'h')",
    ts('2020-01-01T00:00:00Z'),
  ],
  [
    '[SREF] timestamp - timestamp is a duration',
    'timestamp.date(2020, 1, 2) - timestamp.date(2020, 1, 1)',
    dur(86_400n * S),
  ],
  ['[SREF] timestamp ordering', 'timestamp.date(2020, 1, 1) < request.time', true],
  ['[SREF] timestamp + timestamp is unsupported', 'request.time + request.time', ERR],
  [
    '[R.Timestamp] nanos of pre-1970 timestamps are non-negative',
    'timestamp.value(-1).nanos()',
    999_000_000n,
  ],

  // ── Duration [R.Duration][R.duration] ──
  ["[R.duration] value(1, 'w')", "duration.value(1, 'w')", dur(604_800n * S)],
  ["[R.duration] value(2, 'd')", "duration.value(2, 'd')", dur(172_800n * S)],
  ["[R.duration] value(1, 'h')", "duration.value(1, 'h')", dur(3600n * S)],
  ["[R.duration] value(1, 'm')", "duration.value(1, 'm')", dur(60n * S)],
  ["[R.duration] value(5, 's')", "duration.value(5, 's')", dur(5n * S)],
  ["[R.duration] value(5, 'ms')", "duration.value(5, 'ms')", dur(5_000_000n)],
  ["[R.duration] value(5, 'ns')", "duration.value(5, 'ns')", dur(5n)],
  ["[R.duration] unit 'y' is an error", "duration.value(1, 'y')", err('Invalid duration unit')],
  ['[R.duration] time(h, m, s, ns)', 'duration.time(1, 2, 3, 4)', dur(3723n * S + 4n)],
  ['[R.duration] abs', "duration.abs(duration.value(-3, 's'))", dur(3n * S)],
  ['[R.Duration] seconds()', "duration.value(90, 'm').seconds()", 5400n],
  ['[R.Duration] nanos()', "duration.value(1500, 'ms').nanos()", 500_000_000n],
  ['[R.Duration] seconds and nanos share the sign', "duration.value(-1500, 'ms').nanos()", -500_000_000n],
  ['[SREF] duration + duration', "duration.value(1, 's') + duration.value(500, 'ms')", dur(1_500_000_000n)],
  ['[SREF] duration - duration', "duration.value(1, 's') - duration.value(2, 's')", dur(-S)],
  ['[SREF] duration ordering', "duration.value(1, 'm') > duration.value(59, 's')", true],
  ['[R.Duration] out of range is an error', "duration.value(400000000000, 's')", ERR],

  // ── Bytes [R.Bytes] ──
  ['[R.Bytes] b literal equivalences', "b'*' == b'\\x2A' && b'*' == b'\\052'", true],
  ['[R.Bytes] size', "b'abc'.size()", 3n],
  ['[R.Bytes] size counts UTF-8 bytes', "b'€'.size()", 3n],
  ['[R.Bytes] toBase64 uses the url alphabet', "b'\\xFB\\xEF\\xBE'.toBase64()", '----'],
  ['[R.Bytes] toBase64 with padding', "b'hello'.toBase64()", 'aGVsbG8='],
  ['[R.Bytes] toHexString is uppercase', "b'\\xE2\\x82\\xAC'.toHexString()", 'E282AC'],
  ['[R.Bytes] bytes equality', "b'ab' == 'ab'.toUtf8()", true],

  // ── LatLng [R.LatLng][R.latlng] ──
  ['[R.latlng] latitude()', 'latlng.value(37.5, -122.25).latitude()', 37.5],
  ['[R.latlng] longitude()', 'latlng.value(37.5, -122.25).longitude()', -122.25],
  ['[R.latlng] out-of-range latitude is an error', 'latlng.value(91, 0)', ERR],
  ['[R.LatLng] distance to itself is 0', 'latlng.value(10, 20).distance(latlng.value(10, 20))', 0],
  [
    '[R.LatLng] one degree of longitude at the equator is about 111 km',
    'math.abs(latlng.value(0, 0).distance(latlng.value(0, 1)) - 111195.0) < 100',
    true,
  ],
  ['[R.LatLng] equality', 'latlng.value(1, 2) == latlng.value(1, 2)', true],

  // ── math [R.math] ──
  ['[R.math] abs int', 'math.abs(-3)', 3n],
  ['[R.math] abs float', 'math.abs(-3.5)', 3.5],
  ['[R.math] abs of INT_MIN overflows', 'math.abs(-9223372036854775808)', ERR],
  ['[R.math] ceil returns int', 'math.ceil(1.2)', 2n],
  ['[R.math] floor returns int', 'math.floor(1.8)', 1n],
  ['[R.math] floor negative', 'math.floor(-1.2)', -2n],
  ['[R.math] round(2.5) == 3', 'math.round(2.5)', 3n],
  ['[R.math] round(2.4) == 2', 'math.round(2.4)', 2n],
  ['[R.math] round(-2.5) rounds away from zero (undocumented)', 'math.round(-2.5)', -3n],
  ['[R.math] sqrt returns float', 'math.sqrt(16)', 4],
  ['[R.math] pow returns float', 'math.pow(2, 10)', 1024],
  ['[R.math] isInfinite', 'math.isInfinite(1.0 / 0.0)', true],
  ['[R.math] isInfinite false', 'math.isInfinite(1.0)', false],
  ['[R.math] isNaN', "math.isNaN(float('NaN'))", true],
  ['[R.math] isNaN false for int', 'math.isNaN(1)', false],
  ['[R.math] ceil of infinity is an error', 'math.ceil(1.0 / 0.0)', ERR],
  ['[R.math] abs of string is an error', "math.abs('a')", ERR],

  // ── hashing [R.hashing] ──
  ['[R.hashing] md5 of string', "hashing.md5('abc').toHexString()", '900150983CD24FB0D6963F7D28E17F72'],
  [
    '[R.hashing] sha256 of string',
    "hashing.sha256('abc').toHexString()",
    'BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD',
  ],
  ['[R.hashing] crc32 check value', "hashing.crc32('123456789').toHexString()", 'CBF43926'],
  ['[R.hashing] crc32c check value', "hashing.crc32c('123456789').toHexString()", 'E3069283'],
  ['[R.hashing] string and bytes hash the same', "hashing.md5('abc') == hashing.md5(b'abc')", true],
  ['[R.hashing] hashing an int is an error', 'hashing.md5(1)', ERR],

  // ── request / resource [R.fsReq][R.fsRes][RF] ──
  ['[R.fsReq] request.auth.uid', 'request.auth.uid', 'alice'],
  ['[R.fsReq] request.auth.token.email', 'request.auth.token.email', 'alice@example.com'],
  ['[R.fsReq] token.firebase.sign_in_provider', 'request.auth.token.firebase.sign_in_provider', 'password'],
  ['[R.fsReq] request.method', 'request.method', 'get'],
  [
    '[RF] missing custom claim is an error',
    'request.auth.token.admin == true',
    err('Property admin is undefined on object.'),
  ],
  ['[R.fsRes] resource is null for a missing document', 'resource == null', true],
  ['[SREF] null resource member access is a Null value error', 'resource.data', err('Null value error.')],
  ['[RL] captures are strings', 'coll + "/" + doc', 'coll/doc1'],
  ['[RL] request.params is an empty map', 'request.params.size()', 0n],
];

describe('rules expression evaluation (table)', () => {
  it.each(cases)('%s', (_name, expr, expected) => {
    const got = evalExpr(expr);
    if (
      typeof expected === 'object' &&
      expected !== null &&
      'error' in expected &&
      typeof expected.error === 'string'
    ) {
      expect(got).toHaveProperty('error');
      expect((got as { error: string }).error).toContain(expected.error);
    } else {
      expect(got).toEqual(expected);
    }
  });
});

const docReq = {
  resource: {
    name: 'projects/p/databases/(default)/documents/coll/doc1',
    fields: {
      title: { stringValue: 'Hello' },
      count: { integerValue: '9007199254740993' },
      ratio: { doubleValue: 0.5 },
      nan: { doubleValue: 'NaN' as const },
      at: { timestampValue: '2024-01-02T03:04:05.123456789Z' },
      blob: { bytesValue: 'AQID' },
      ref: { referenceValue: 'projects/p/databases/(default)/documents/users/u1' },
      geo: { geoPointValue: { latitude: 1.5, longitude: 2.5 } },
      tags: { arrayValue: { values: [{ stringValue: 'a' }, { stringValue: 'b' }] } },
      empty: { arrayValue: {} },
      nested: { mapValue: { fields: { x: { booleanValue: true } } } },
      nothing: { nullValue: null },
    },
  },
  requestResource: {
    name: 'projects/p/databases/(default)/documents/coll/doc1',
    fields: { title: { stringValue: 'Hello' }, count: { integerValue: '1' }, extra: { stringValue: 'x' } },
  },
};

const docCases: Case[] = [
  ['[R.fsRes] resource.data string field', 'resource.data.title', 'Hello'],
  ['[R.fsRes] integerValue is a 64-bit int (beyond 2^53)', 'resource.data.count', 9007199254740993n],
  ['[R.fsRes] doubleValue is a float', 'resource.data.ratio is float', true],
  ["[R.fsRes] doubleValue 'NaN'", 'math.isNaN(resource.data.nan)', true],
  ['[R.fsRes] timestampValue keeps nanoseconds', 'resource.data.at.nanos()', 123456789n],
  ['[R.fsRes] bytesValue is bytes', 'resource.data.blob.toHexString()', '010203'],
  [
    '[R.fsRes] referenceValue is a path',
    'resource.data.ref == /databases/(default)/documents/users/u1',
    true,
  ],
  ['[R.fsRes] geoPointValue is a latlng', 'resource.data.geo.latitude()', 1.5],
  ['[R.fsRes] arrayValue is a list', 'resource.data.tags', ['a', 'b']],
  ['[R.fsRes] empty arrayValue', 'resource.data.empty.size()', 0n],
  ['[R.fsRes] mapValue is a map', 'resource.data.nested.x', true],
  ['[R.fsRes] nullValue is null', 'resource.data.nothing == null', true],
  ['[R.fsRes] resource.id', 'resource.id', 'doc1'],
  [
    "[R.fsRes] resource['__name__'] is a path",
    "resource['__name__'] == /databases/(default)/documents/coll/doc1",
    true,
  ],
  ['[R.fsRes] resource.__name__ via member', 'resource.__name__[4]', 'doc1'],
  [
    '[RF] missing field is an error',
    'resource.data.premium',
    err('Property premium is undefined on object.'),
  ],
  ['[RF] in tests field presence', "'title' in resource.data && !('premium' in resource.data)", true],
  ['[RF] get() with default avoids the error', "resource.data.get('premium', false)", false],
  ['[R.fsReq] request.resource.data is the post-write document', 'request.resource.data.count', 1n],
  [
    '[RF] diff of request.resource.data and resource.data',
    'request.resource.data.diff(resource.data).affectedKeys().hasAll(["count", "extra"])',
    true,
  ],
  ['[R.fsRes] data.keys() lists all fields (sorted)', 'resource.data.keys().size()', 12n],
];

describe('Firestore document values (table)', () => {
  it.each(docCases)('%s', (_name, expr, expected) => {
    const got = evalExpr(expr, { req: docReq });
    if (
      typeof expected === 'object' &&
      expected !== null &&
      'error' in expected &&
      typeof expected.error === 'string'
    ) {
      expect((got as { error: string }).error).toContain(expected.error);
    } else {
      expect(got).toEqual(expected);
    }
  });
});

const storageReq = {
  method: 'create' as const,
  resource: null,
  requestResource: {
    name: 'uploads/a.png',
    bucket: 'bkt',
    size: 2048,
    contentType: 'image/png',
    timeCreated: new Date('2024-01-01T00:00:00Z'),
    metadata: { owner: 'alice' },
  },
};

const storageCases: Case[] = [
  ['[SREF] request.resource.size is an int', 'request.resource.size', 2048n],
  ['[SREF] size < 5 MB idiom', 'request.resource.size < 5 * 1024 * 1024', true],
  ['[SREF] contentType matches image/.*', "request.resource.contentType.matches('image/.*')", true],
  ['[SREF] metadata map', 'request.resource.metadata.owner', 'alice'],
  ['[SREF] missing metadata key is an error', 'request.resource.metadata.nope', ERR],
  ['[SREF] Date becomes a timestamp', 'request.resource.timeCreated.year()', 2024n],
  ['[SREF] resource is null on create', 'resource == null', true],
  ['[SCS] {path=**} binds a path', 'path', 'path:/uploads/a.png'],
  [
    '[SCS] request.path is /b/{bucket}/o/{name...}',
    'request.path[0] == "b" && request.path[3] == "uploads"',
    true,
  ],
  [
    '[SREF] firestore.exists requires an accessor (errors without one)',
    'firestore.exists(/databases/(default)/documents/users/alice)',
    ERR,
  ],
];

describe('Storage values (table)', () => {
  it.each(storageCases)('%s', (_name, expr, expected) => {
    const got = evalExpr(expr, { req: storageReq, storage: true });
    if (
      typeof expected === 'object' &&
      expected !== null &&
      'error' in expected &&
      typeof expected.error === 'string'
    ) {
      expect((got as { error: string }).error).toContain(expected.error);
    } else {
      expect(got).toEqual(expected);
    }
  });
});

describe('user functions', () => {
  const fns = `
    function add(a, b) { return a + b; }
    function twice(x) { let y = add(x, x); return y; }
    function isOwner(uid) { return request.auth.uid == uid; }
    function chain0() { return 0; }
    function eager() { let unused = 1 / 0; return true; }
    function shadow(request) { return request; }
    ${Array.from({ length: 21 }, (_, i) => `function chain${i + 1}() { return chain${i}() + 1; }`).join('\n')}
  `;
  it.each<Case>([
    ['[RL] function with parameters', 'add(2, 3)', 5n],
    ['[RL] let bindings', 'twice(4)', 8n],
    ['[RL] functions see request', "isOwner('alice')", true],
    ['[RS] call depth 20 is allowed', 'chain19()', 19n],
    ['[RS] call depth above 20 is an error', 'chain21()', err('call depth')],
    ['[RL] let is eager: an erroring unused let fails the call', 'eager()', err('Division by zero')],
    ['[RL] a deferred call on the short-circuited side never runs', 'false && eager()', false],
    ['[RL] parameters shadow request', "shadow('x')", 'x'],
  ])('%s', (_name, expr, expected) => {
    const got = evalExpr(expr, { functions: fns });
    if (
      typeof expected === 'object' &&
      expected !== null &&
      'error' in expected &&
      typeof expected.error === 'string'
    ) {
      expect((got as { error: string }).error).toContain(expected.error);
    } else {
      expect(got).toEqual(expected);
    }
  });

  it('[RS] more than 1,000 expressions per request stop evaluation', () => {
    const many = Array.from({ length: 1100 }, () => '1 == 1').join(' && ');
    expect(evalExpr(many)).toEqual({ error: 'Exceeded maximum of 1000 expressions evaluated.' });
  });
});

describe('set semantics across types', () => {
  it.each<Case>([
    ['[HID] hasAll compares numbers by value across int/float', "[1, 'a'].hasAll(['a', 1.0])", true],
    ['[R.List] hasOnly with mixed types', "[1, 'a', null].hasOnly([null, 'a', 1, true])", true],
    ['[R.List] removeAll with maps', "[{'a': 1}, {'b': 2}].removeAll([{'a': 1}])", [{ b: 2n }]],
    ['[R.Set] toSet keeps the first of equal elements', '[1, 1.0].toSet().size()', 1n],
    ['[R.List] strings are not numbers in sets', "['1'].hasAny([1])", false],
  ])('%s', (_name, expr, expected) => {
    expect(evalExpr(expr)).toEqual(expected);
  });
});
