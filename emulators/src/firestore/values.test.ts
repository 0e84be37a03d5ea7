/** Value ordering, equality, sizes, field paths and timestamps. */
import { describe, expect, it } from 'vitest';
import { jsonValue } from './json-codec.js';
import { formatFieldPath, parseDocumentName, parseFieldPath } from './paths.js';
import { Clock, parseTimestamp } from './timestamps.js';
import { compareUtf8, compareValues, fieldsSize, nameSize, type Value, valuesEqual } from './values.js';

const ref = (p: string): Value => ({ referenceValue: `projects/p/databases/(default)/documents/${p}` });

describe('value ordering', () => {
  it('orders across types like Firestore', () => {
    const ordered: Value[] = [
      { nullValue: null },
      { booleanValue: false },
      { booleanValue: true },
      { doubleValue: 'NaN' },
      { doubleValue: '-Infinity' },
      { integerValue: '-5' },
      { doubleValue: 1.5 },
      { integerValue: '2' },
      { doubleValue: 'Infinity' },
      { timestampValue: '1970-01-01T00:00:00.000000000Z' },
      { timestampValue: '2024-01-01T00:00:00.000000001Z' },
      { stringValue: '' },
      { stringValue: 'B' },
      { stringValue: 'a' },
      { stringValue: '\uffff' },
      { stringValue: '😀' },
      { bytesValue: 'AA==' },
      { bytesValue: '/w==' },
      ref('a/b'),
      ref('a/b/c/d'),
      ref('b/a'),
      { geoPointValue: { latitude: -1, longitude: 5 } },
      { geoPointValue: { latitude: 1, longitude: 0 } },
      { arrayValue: { values: [] } },
      { arrayValue: { values: [{ integerValue: '1' }] } },
      { arrayValue: { values: [{ integerValue: '1' }, { integerValue: '0' }] } },
      { arrayValue: { values: [{ integerValue: '2' }] } },
      {
        mapValue: {
          fields: {
            __type__: { stringValue: '__vector__' },
            value: { arrayValue: { values: [{ doubleValue: 9 }] } },
          },
        },
      },
      { mapValue: { fields: {} } },
      { mapValue: { fields: { a: { integerValue: '1' } } } },
      { mapValue: { fields: { b: { integerValue: '0' } } } },
    ];
    const shuffled = [...ordered].reverse();
    shuffled.sort(compareValues);
    expect(shuffled).toEqual(ordered);
  });

  it('compares integers and doubles numerically, and big integers exactly', () => {
    expect(compareValues({ integerValue: '1' }, { doubleValue: 1 })).toBe(0);
    expect(valuesEqual({ integerValue: '1' }, { doubleValue: 1 })).toBe(true);
    expect(compareValues({ integerValue: '9007199254740993' }, { integerValue: '9007199254740992' })).toBe(1);
    expect(valuesEqual({ doubleValue: 'NaN' }, { doubleValue: 'NaN' })).toBe(false);
  });

  it('compares strings by UTF-8 bytes, not UTF-16 units', () => {
    expect(compareUtf8('\uffff', '😀')).toBe(-1);
    expect('\uffff' < '😀').toBe(false);
  });
});

describe('sizes and names', () => {
  it('computes storage sizes per the documented formula', () => {
    expect(nameSize('projects/p/databases/(default)/documents/users/jeff')).toBe(6 + 5 + 16);
    expect(fieldsSize({ a: { stringValue: 'xyz' }, b: { booleanValue: true }, c: { nullValue: null } })).toBe(
      2 + 4 + 2 + 1 + 2 + 1,
    );
  });

  it('validates document names', () => {
    expect(parseDocumentName('projects/p/databases/(default)/documents/a/b').segments).toEqual(['a', 'b']);
    expect(() => parseDocumentName('projects/p/databases/(default)/documents/a')).toThrow(
      /lacks "\/" at index 42/,
    );
    expect(() => parseDocumentName('projects/p/databases/(default)/documents/a/..')).toThrow(/not allowed/);
    expect(() => parseDocumentName('projects/p/databases/(default)/documents/a/__x__')).toThrow(/reserved/);
    expect(parseDocumentName('projects/p/databases/(default)/documents/a/__id5__').segments).toEqual([
      'a',
      '__id5__',
    ]);
  });

  it('parses and formats field paths with backticks', () => {
    expect(parseFieldPath('a.b')).toEqual(['a', 'b']);
    expect(parseFieldPath('a.`b.c`.`d\\`e`')).toEqual(['a', 'b.c', 'd`e']);
    expect(() => parseFieldPath('a..b')).toThrow();
    expect(() => parseFieldPath('`open')).toThrow();
    expect(formatFieldPath(['a', 'b.c', '1x'])).toBe('a.`b.c`.`1x`');
  });
});

describe('JSON values and timestamps', () => {
  it('normalizes REST values and rejects malformed ones', () => {
    expect(jsonValue({ nullValue: 'NULL_VALUE' })).toEqual({ nullValue: null });
    expect(jsonValue({ integerValue: 7 })).toEqual({ integerValue: '7' });
    expect(jsonValue({ timestampValue: '2024-05-01T10:00:00+02:00' })).toEqual({
      timestampValue: '2024-05-01T08:00:00.000000000Z',
    });
    expect(jsonValue({ bytesValue: '_-8=' })).toEqual({ bytesValue: '/+8=' });
    expect(() => jsonValue({ integerValue: '9223372036854775808' })).toThrow(/int64/);
    expect(() => jsonValue({ stringValue: 'a', booleanValue: true })).toThrow(/exactly one/);
    expect(() => jsonValue({ geoPointValue: { latitude: 91, longitude: 0 } })).toThrow();
  });

  it('issues strictly increasing millisecond commit times', () => {
    const c = new Clock();
    const times = Array.from({ length: 50 }, () => c.next());
    for (let i = 1; i < times.length; i++) expect(times[i]! > times[i - 1]!).toBe(true);
    for (const t of times) expect(t).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}000000Z$/);
    expect(parseTimestamp('2024-01-01T00:00:00Z')).toBe('2024-01-01T00:00:00.000000000Z');
  });
});
