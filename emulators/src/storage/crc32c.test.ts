import { randomBytes } from 'node:crypto';
import { CRC32C } from '@google-cloud/storage';
import { describe, expect, it } from 'vitest';
import { crc32c, crc32cToBase64, crc32cUpdate } from './crc32c.js';

// Check values from RFC 3720 §B.4 and the common "123456789" check value for CRC-32C.
const vectors: Array<[string, Uint8Array, number]> = [
  ['empty', new Uint8Array(0), 0x00000000],
  ['"123456789"', new TextEncoder().encode('123456789'), 0xe3069283],
  ['"a"', new TextEncoder().encode('a'), 0xc1d04330],
  ['32 x 0x00', new Uint8Array(32), 0x8a9136aa],
  ['32 x 0xFF', new Uint8Array(32).fill(0xff), 0x62a8ab43],
  ['0..31 ascending', Uint8Array.from({ length: 32 }, (_, i) => i), 0x46dd794e],
  ['31..0 descending', Uint8Array.from({ length: 32 }, (_, i) => 31 - i), 0x113fdb5c],
];

describe('crc32c', () => {
  for (const [label, data, expected] of vectors) {
    it(`matches the known value for ${label}`, () => {
      expect(crc32c(data)).toBe(expected);
    });
  }

  it('encodes as base64 of the big-endian bytes', () => {
    expect(crc32cToBase64(0xe3069283)).toBe('4waSgw==');
    expect(crc32cToBase64(0)).toBe('AAAAAA==');
  });

  it('is incremental: any split gives the same value', () => {
    const data = randomBytes(10_007);
    const whole = crc32c(data);
    for (const cut of [0, 1, 7, 8, 9, 4096, 10_006, 10_007]) {
      expect(crc32cUpdate(crc32cUpdate(0, data.subarray(0, cut)), data.subarray(cut))).toBe(whole);
    }
  });

  it('agrees with @google-cloud/storage on random data of many lengths', () => {
    for (const len of [1, 3, 8, 15, 16, 17, 255, 1000, 65_537]) {
      const data = randomBytes(len);
      const theirs = new CRC32C();
      theirs.update(data);
      expect(crc32cToBase64(crc32c(data))).toBe(theirs.toString());
    }
  });
});
