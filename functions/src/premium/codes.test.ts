import { describe, expect, it } from 'vitest';
import { CODE_ALPHABET, formatCode, generateCode, hashCode, normalizeCode } from './codes.js';

describe('access codes', () => {
  it('normalizes case, spaces and dashes', () => {
    expect(normalizeCode(' abcd-efgh jklm ')).toBe('ABCDEFGHJKLM');
    expect(normalizeCode('AB--CD\tEF')).toBe('ABCDEF');
  });

  it('hashes the normalized form with sha256 (hex)', () => {
    // sha256("ABC") computed independently: echo -n ABC | sha256sum
    expect(hashCode('abc')).toBe('b5d4045c3f466fa91fe2cc6abe79232a1a57cdf104f7a26e716e0a1e2789df78');
    expect(hashCode('ab-c')).toBe(hashCode('ABC'));
    expect(hashCode('ABD')).not.toBe(hashCode('ABC'));
  });

  it('formats groups of four', () => {
    expect(formatCode('ABCDEFGHJKLM')).toBe('ABCD-EFGH-JKLM');
    expect(formatCode('ABCDEF')).toBe('ABCD-EF');
  });

  it('maps each random byte onto the 32-symbol alphabet', () => {
    const bytes = Uint8Array.from([0, 1, 31, 32, 33, 255, 8, 9, 10, 63, 64, 100]);
    expect(generateCode(() => bytes)).toBe('23Z2-3ZAB-CZ26');
  });

  it('generates 12-symbol codes without look-alike characters, all distinct', () => {
    const codes = new Set(Array.from({ length: 2000 }, () => generateCode()));
    expect(codes.size).toBe(2000);
    for (const code of codes) {
      expect(code).toMatch(/^[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}$/);
    }
    expect(CODE_ALPHABET).not.toMatch(/[01IO]/);
    expect(CODE_ALPHABET).toHaveLength(32);
  });
});
