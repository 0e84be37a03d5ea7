import { describe, expect, it } from 'vitest';
import { checkUsername } from './username.js';

describe('checkUsername', () => {
  it('keeps the name as typed (trimmed); its key is lower-case, so names are unique regardless of case', () => {
    expect(checkUsername('  Alice_01 ')).toEqual({ ok: true, name: 'Alice_01', key: 'alice_01' });
  });

  it('accepts the boundaries of 3 and 20 characters', () => {
    expect(checkUsername('abc')).toEqual({ ok: true, name: 'abc', key: 'abc' });
    expect(checkUsername('A'.repeat(20))).toEqual({ ok: true, name: 'A'.repeat(20), key: 'a'.repeat(20) });
  });

  it('refuses too short and too long names', () => {
    const length = 'Choose a username of 3 to 20 characters.';
    expect(checkUsername('ab')).toEqual({ ok: false, message: length });
    expect(checkUsername('a'.repeat(21))).toEqual({ ok: false, message: length });
    expect(checkUsername('   ')).toEqual({ ok: false, message: length });
  });

  it.each(['with space', 'dash-ed', 'dot.ted', 'émile', 'a@b'])('refuses %j', (input) => {
    expect(checkUsername(input)).toEqual({
      ok: false,
      message: 'Use only letters, digits and underscores in your username.',
    });
  });
});
