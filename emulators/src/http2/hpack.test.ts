/**
 * HPACK (RFC 7541): the decoder against the RFC's own examples (Appendix C), against a real
 * encoder (nghttp2, under Node's http2 client: Huffman, dynamic table, never-indexed fields,
 * eviction), our minimal encoder, and malformed blocks.
 */
import { connect } from 'node:http2';
import { type AddressInfo, createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { HpackDecoder, HpackError, encodeHeaderBlock } from './hpack.js';
import { huffmanCode, huffmanDecode } from './huffman.js';
import { prng } from '../test-support/prng.js';

/** Huffman-encodes octets, padding with the most significant bits of EOS (ones), RFC 7541 §5.2. */
function huffmanEncode(octets: Uint8Array): Buffer {
  const codes = [...octets].map((o) => huffmanCode(o));
  const bits = codes.reduce((n, c) => n + c.length, 0);
  const out = Buffer.alloc(Math.ceil(bits / 8), 0xff);
  let at = 0;
  // Bit by bit: codes reach 30 bits, and speed does not matter here.
  for (const { code, length } of codes) {
    for (let b = length - 1; b >= 0; b--, at++) {
      if (((code >>> b) & 1) === 0) out[at >>> 3] = out[at >>> 3]! & ~(0x80 >>> (at & 7));
    }
  }
  return out;
}

/** Hex as the RFC prints it ("8286 8441 ..."). */
const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');

/** Packs '0'/'1' characters (spaces ignored) into octets; the caller supplies any padding. */
function bits(s: string): Buffer {
  const b = s.replace(/\s+/g, '');
  if (b.length % 8 !== 0) throw new Error('bits() needs whole octets');
  const out = Buffer.alloc(b.length / 8);
  for (let i = 0; i < b.length; i++) if (b[i] === '1') out[i >> 3]! |= 0x80 >> (i & 7);
  return out;
}

/** The code of a symbol as a '0'/'1' string. */
const codeBits = (sym: number): string => {
  const { code, length } = huffmanCode(sym);
  return code.toString(2).padStart(length, '0');
};

/** A literal header field without indexing (§6.2.2), new name "x", value given as raw octets. */
const literalWithValue = (valueHeader: number[], value: Buffer): Buffer =>
  Buffer.concat([Buffer.from([0x00, 0x01, 0x78, ...valueHeader]), value]);

/** An integer with an N-bit prefix (§5.1), written out by hand; flags fill the first octet's high bits. */
function integer(flags: number, prefixBits: number, value: number): number[] {
  const max = 2 ** prefixBits - 1;
  if (value < max) return [flags | value];
  const out = [flags | max];
  let rest = value - max;
  while (rest >= 128) {
    out.push((rest % 128) | 0x80);
    rest = Math.floor(rest / 128);
  }
  out.push(rest);
  return out;
}

/** An indexed header field (§6.1). */
const indexedField = (index: number): number[] => integer(0x80, 7, index);

type Step = {
  section: string;
  block: string;
  headers: Array<[string, string]>;
  table: Array<[string, string]>;
  size: number;
};

/** Decodes the steps with ONE decoder, so the dynamic table carries over as in the RFC. */
function runSequence(decoder: HpackDecoder, steps: Step[]): void {
  for (const step of steps) {
    expect(decoder.decode(hex(step.block)), step.section).toEqual(step.headers);
    expect(decoder.dynamicTableEntries(), `${step.section} table`).toEqual(step.table);
    expect(decoder.dynamicTableSize, `${step.section} table size`).toBe(step.size);
  }
}

const REQUEST_1: Array<[string, string]> = [
  [':method', 'GET'],
  [':scheme', 'http'],
  [':path', '/'],
  [':authority', 'www.example.com'],
];
const REQUEST_2: Array<[string, string]> = [...REQUEST_1, ['cache-control', 'no-cache']];
const REQUEST_3: Array<[string, string]> = [
  [':method', 'GET'],
  [':scheme', 'https'],
  [':path', '/index.html'],
  [':authority', 'www.example.com'],
  ['custom-key', 'custom-value'],
];
const TABLE_AFTER_REQUEST_1: Array<[string, string]> = [[':authority', 'www.example.com']];
const TABLE_AFTER_REQUEST_2: Array<[string, string]> = [
  ['cache-control', 'no-cache'],
  [':authority', 'www.example.com'],
];
const TABLE_AFTER_REQUEST_3: Array<[string, string]> = [
  ['custom-key', 'custom-value'],
  ['cache-control', 'no-cache'],
  [':authority', 'www.example.com'],
];

const RESPONSE_1: Array<[string, string]> = [
  [':status', '302'],
  ['cache-control', 'private'],
  ['date', 'Mon, 21 Oct 2013 20:13:21 GMT'],
  ['location', 'https://www.example.com'],
];
const RESPONSE_2: Array<[string, string]> = [[':status', '307'], ...RESPONSE_1.slice(1)];
const SET_COOKIE = 'foo=ASDJKHQKBZXOQWEOPIUAXQWEOIU; max-age=3600; version=1';
const RESPONSE_3: Array<[string, string]> = [
  [':status', '200'],
  ['cache-control', 'private'],
  ['date', 'Mon, 21 Oct 2013 20:13:22 GMT'],
  ['location', 'https://www.example.com'],
  ['content-encoding', 'gzip'],
  ['set-cookie', SET_COOKIE],
];
const TABLE_AFTER_RESPONSE_1: Array<[string, string]> = [
  ['location', 'https://www.example.com'],
  ['date', 'Mon, 21 Oct 2013 20:13:21 GMT'],
  ['cache-control', 'private'],
  [':status', '302'],
];
const TABLE_AFTER_RESPONSE_2: Array<[string, string]> = [
  [':status', '307'],
  ['location', 'https://www.example.com'],
  ['date', 'Mon, 21 Oct 2013 20:13:21 GMT'],
  ['cache-control', 'private'],
];
const TABLE_AFTER_RESPONSE_3: Array<[string, string]> = [
  ['set-cookie', SET_COOKIE],
  ['content-encoding', 'gzip'],
  ['date', 'Mon, 21 Oct 2013 20:13:22 GMT'],
];

describe('Huffman code (RFC 7541 Appendix B)', () => {
  it('derives the canonical codes from the lengths', () => {
    expect(huffmanCode(0x30)).toEqual({ code: 0b00000, length: 5 }); // '0'
    expect(huffmanCode(0x61)).toEqual({ code: 0b00011, length: 5 }); // 'a'
    expect(huffmanCode(0x20)).toEqual({ code: 0b010100, length: 6 }); // ' '
    expect(huffmanCode(0x7c)).toEqual({ code: 0x7fc, length: 11 }); // '|'
    expect(huffmanCode(0)).toEqual({ code: 0x1ff8, length: 13 });
    expect(huffmanCode(255)).toEqual({ code: 0x3ffffee, length: 26 });
    expect(huffmanCode(256)).toEqual({ code: 0x3fffffff, length: 30 }); // EOS: thirty ones
  });

  it('decodes the RFC 7541 Appendix C.4 and C.6 strings', () => {
    const cases: Array<[string, string]> = [
      ['f1e3 c2e5 f23a 6ba0 ab90 f4ff', 'www.example.com'],
      ['a8eb 1064 9cbf', 'no-cache'],
      ['25a8 49e9 5ba9 7d7f', 'custom-key'],
      ['25a8 49e9 5bb8 e8b4 bf', 'custom-value'],
      ['6402', '302'],
      ['aec3 771a 4b', 'private'],
      ['d07a be94 1054 d444 a820 0595 040b 8166 e082 a62d 1bff', 'Mon, 21 Oct 2013 20:13:21 GMT'],
      ['9d29 ad17 1863 c78f 0b97 c8e9 ae82 ae43 d3', 'https://www.example.com'],
      ['9bd9 ab', 'gzip'],
    ];
    for (const [encoded, text] of cases) {
      const b = hex(encoded);
      expect(huffmanDecode(b, 0, b.length)).toBe(text);
      expect(huffmanEncode(Buffer.from(text, 'latin1'))).toEqual(b);
    }
  });

  it('round-trips every octet, including the 30-bit codes, at every bit alignment', () => {
    for (let shift = 0; shift < 8; shift++) {
      const octets = Buffer.alloc(256 + shift);
      for (let i = 0; i < octets.length; i++) octets[i] = (i * 167 + shift) & 0xff;
      const encoded = huffmanEncode(octets);
      expect(huffmanDecode(encoded, 0, encoded.length)).toBe(octets.toString('latin1'));
    }
    expect(huffmanDecode(Buffer.alloc(0), 0, 0)).toBe('');
  });

  it('decodes only the given range of a larger buffer', () => {
    const inner = huffmanEncode(Buffer.from('grpc-timeout'));
    const outer = Buffer.concat([Buffer.from([0x00, 0x00]), inner, Buffer.from([0x00])]);
    expect(huffmanDecode(outer, 2, 2 + inner.length)).toBe('grpc-timeout');
  });
});

describe('HpackDecoder: RFC 7541 Appendix C examples', () => {
  it('RFC 7541 Appendix C.2.1: literal header field with indexing', () => {
    const d = new HpackDecoder();
    expect(d.decode(hex('400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572'))).toEqual([
      ['custom-key', 'custom-header'],
    ]);
    expect(d.dynamicTableEntries()).toEqual([['custom-key', 'custom-header']]);
    expect(d.dynamicTableSize).toBe(55);
  });

  it('RFC 7541 Appendix C.2.2: literal header field without indexing', () => {
    const d = new HpackDecoder();
    expect(d.decode(hex('040c 2f73 616d 706c 652f 7061 7468'))).toEqual([[':path', '/sample/path']]);
    expect(d.dynamicTableEntries()).toEqual([]);
    expect(d.dynamicTableSize).toBe(0);
  });

  it('RFC 7541 Appendix C.2.3: literal header field never indexed', () => {
    const d = new HpackDecoder();
    expect(d.decode(hex('1008 7061 7373 776f 7264 0673 6563 7265 74'))).toEqual([['password', 'secret']]);
    expect(d.dynamicTableEntries()).toEqual([]);
    expect(d.dynamicTableSize).toBe(0);
  });

  it('RFC 7541 Appendix C.2.4: indexed header field', () => {
    const d = new HpackDecoder();
    expect(d.decode(hex('82'))).toEqual([[':method', 'GET']]);
    expect(d.dynamicTableEntries()).toEqual([]);
  });

  it('RFC 7541 Appendix C.3: three requests without Huffman coding, one decoder', () => {
    runSequence(new HpackDecoder(), [
      {
        section: 'C.3.1',
        block: '8286 8441 0f77 7777 2e65 7861 6d70 6c65 2e63 6f6d',
        headers: REQUEST_1,
        table: TABLE_AFTER_REQUEST_1,
        size: 57,
      },
      {
        section: 'C.3.2',
        block: '8286 84be 5808 6e6f 2d63 6163 6865',
        headers: REQUEST_2,
        table: TABLE_AFTER_REQUEST_2,
        size: 110,
      },
      {
        section: 'C.3.3',
        block: '8287 85bf 400a 6375 7374 6f6d 2d6b 6579 0c63 7573 746f 6d2d 7661 6c75 65',
        headers: REQUEST_3,
        table: TABLE_AFTER_REQUEST_3,
        size: 164,
      },
    ]);
  });

  it('RFC 7541 Appendix C.4: three requests with Huffman coding, one decoder', () => {
    runSequence(new HpackDecoder(), [
      {
        section: 'C.4.1',
        block: '8286 8441 8cf1 e3c2 e5f2 3a6b a0ab 90f4 ff',
        headers: REQUEST_1,
        table: TABLE_AFTER_REQUEST_1,
        size: 57,
      },
      {
        section: 'C.4.2',
        block: '8286 84be 5886 a8eb 1064 9cbf',
        headers: REQUEST_2,
        table: TABLE_AFTER_REQUEST_2,
        size: 110,
      },
      {
        section: 'C.4.3',
        block: '8287 85bf 4088 25a8 49e9 5ba9 7d7f 8925 a849 e95b b8e8 b4bf',
        headers: REQUEST_3,
        table: TABLE_AFTER_REQUEST_3,
        size: 164,
      },
    ]);
  });

  it('RFC 7541 Appendix C.5: three responses without Huffman coding, 256-octet table, eviction', () => {
    runSequence(new HpackDecoder(256), [
      {
        section: 'C.5.1',
        block: `4803 3330 3258 0770 7269 7661 7465 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133
                2032 303a 3133 3a32 3120 474d 546e 1768 7474 7073 3a2f 2f77 7777 2e65 7861 6d70
                6c65 2e63 6f6d`,
        headers: RESPONSE_1,
        table: TABLE_AFTER_RESPONSE_1,
        size: 222,
      },
      {
        section: 'C.5.2',
        block: '4803 3330 37c1 c0bf',
        headers: RESPONSE_2,
        table: TABLE_AFTER_RESPONSE_2,
        size: 222,
      },
      {
        section: 'C.5.3',
        block: `88c1 611d 4d6f 6e2c 2032 3120 4f63 7420 3230 3133 2032 303a 3133 3a32 3220 474d
                54c0 5a04 677a 6970 7738 666f 6f3d 4153 444a 4b48 514b 425a 584f 5157 454f 5049
                5541 5851 5745 4f49 553b 206d 6178 2d61 6765 3d33 3630 303b 2076 6572 7369 6f6e
                3d31`,
        headers: RESPONSE_3,
        table: TABLE_AFTER_RESPONSE_3,
        size: 215,
      },
    ]);
  });

  it('RFC 7541 Appendix C.6: three responses with Huffman coding, 256-octet table, eviction', () => {
    runSequence(new HpackDecoder(256), [
      {
        section: 'C.6.1',
        block: `4882 6402 5885 aec3 771a 4b61 96d0 7abe 9410 54d4 44a8 2005 9504 0b81 66e0 82a6
                2d1b ff6e 919d 29ad 1718 63c7 8f0b 97c8 e9ae 82ae 43d3`,
        headers: RESPONSE_1,
        table: TABLE_AFTER_RESPONSE_1,
        size: 222,
      },
      {
        section: 'C.6.2',
        block: '4883 640e ffc1 c0bf',
        headers: RESPONSE_2,
        table: TABLE_AFTER_RESPONSE_2,
        size: 222,
      },
      {
        section: 'C.6.3',
        block: `88c1 6196 d07a be94 1054 d444 a820 0595 040b 8166 e084 a62d 1bff c05a 839b d9ab
                77ad 94e7 821d d7f2 e6c7 b335 dfdf cd5b 3960 d5af 2708 7f36 72c1 ab27 0fb5 291f
                9587 3160 65c0 03ed 4ee5 b106 3d50 07`,
        headers: RESPONSE_3,
        table: TABLE_AFTER_RESPONSE_3,
        size: 215,
      },
    ]);
  });
});

describe('HpackDecoder: dynamic table', () => {
  it('reads every static entry (RFC 7541 Appendix A) by index', () => {
    const d = new HpackDecoder();
    const all = d.decode(Buffer.from(Array.from({ length: 61 }, (_, i) => 0x80 | (i + 1))));
    expect(all).toHaveLength(61);
    expect(all[0]).toEqual([':authority', '']);
    expect(all[15]).toEqual(['accept-encoding', 'gzip, deflate']);
    expect(all[30]).toEqual(['content-type', '']);
    expect(all[60]).toEqual(['www-authenticate', '']);
  });

  it('evicts oldest first and empties itself for an entry larger than the table (§4.4)', () => {
    const d = new HpackDecoder(100);
    // 'a'/'1' and 'b'/'2' are 34 octets each (§4.1); a third does not fit beside two.
    d.decode(Buffer.from([0x40, 0x01, 0x61, 0x01, 0x31, 0x40, 0x01, 0x62, 0x01, 0x32]));
    expect(d.dynamicTableEntries()).toEqual([
      ['b', '2'],
      ['a', '1'],
    ]);
    expect(d.dynamicTableSize).toBe(68);
    // The name comes from index 62 (b), so this also reads an entry while its table changes.
    expect(d.decode(Buffer.from([0x7e, 0x01, 0x33]))).toEqual([['b', '3']]);
    expect(d.dynamicTableEntries()).toEqual([
      ['b', '3'],
      ['b', '2'],
    ]);
    // A 101-octet entry cannot fit in 100: the table ends up empty (§4.4).
    d.decode(Buffer.concat([Buffer.from([0x40, 0x01, 0x63, 0x44]), Buffer.alloc(68, 0x78)]));
    expect(d.dynamicTableEntries()).toEqual([]);
    expect(d.dynamicTableSize).toBe(0);
    expect(() => d.decode(Buffer.from([0xbe]))).toThrow(HpackError);
  });

  it('keeps many entries in order as the ring buffer grows and wraps', () => {
    const d = new HpackDecoder();
    const expected: Array<[string, string]> = [];
    for (let i = 0; i < 300; i++) {
      const name = `n${i}`;
      const value = 'v'.repeat(i % 50);
      d.decode(
        Buffer.concat([
          Buffer.from([0x40, name.length]),
          Buffer.from(name),
          Buffer.from([value.length]),
          Buffer.from(value),
        ]),
      );
      expected.unshift([name, value]);
      let size = 0;
      let keep = 0;
      while (
        keep < expected.length &&
        size + expected[keep]![0].length + expected[keep]![1].length + 32 <= 4096
      ) {
        size += expected[keep]![0].length + expected[keep]![1].length + 32;
        keep++;
      }
      expected.length = keep;
      expect(d.dynamicTableSize).toBe(size);
    }
    expect(d.dynamicTableEntries()).toEqual(expected);
    // Index 62 + k is the (k+1)th newest entry; one past the last is an error.
    const block: number[] = [];
    for (let k = 0; k < expected.length; k++) block.push(...indexedField(62 + k));
    expect(d.decode(Buffer.from(block))).toEqual(expected);
    expect(() => d.decode(Buffer.from(indexedField(62 + expected.length)))).toThrow(HpackError);
  });

  it('applies size updates at the start of a block (§6.3, §4.2), evicting to the new size', () => {
    const d = new HpackDecoder();
    d.decode(hex('400a 6375 7374 6f6d 2d6b 6579 0d63 7573 746f 6d2d 6865 6164 6572')); // C.2.1: 55 octets
    d.decode(Buffer.from([0x40, 0x01, 0x61, 0x01, 0x31])); // 34 octets
    // Two updates in a row (down to 40, then up to 4096): only the newest entry survives the first.
    expect(d.decode(Buffer.from([0x3f, 0x09, 0x3f, 0xe1, 0x1f, 0x82]))).toEqual([[':method', 'GET']]);
    expect(d.dynamicTableEntries()).toEqual([['a', '1']]);
    expect(d.dynamicTableMaxSize).toBe(4096);
    expect(d.decode(Buffer.from([0x20]))).toEqual([]); // to 0: empties the table
    expect(d.dynamicTableEntries()).toEqual([]);
    // With a maximum of 0 nothing is stored, but the field is still emitted.
    expect(d.decode(Buffer.from([0x40, 0x01, 0x62, 0x01, 0x32]))).toEqual([['b', '2']]);
    expect(d.dynamicTableSize).toBe(0);
  });

  it('decodes Huffman-coded names and multi-octet integers', () => {
    const d = new HpackDecoder();
    const name = huffmanEncode(Buffer.from('x-long'));
    const value = 'z'.repeat(1000);
    const block = Buffer.concat([
      Buffer.from([0x40, 0x80 | name.length]),
      name,
      Buffer.from([0x7f, 1000 - 127 - 128 * 6 + 0x80, 0x06]), // 1000 = 127 + 105 + 6 * 128
      Buffer.from(value),
    ]);
    expect(d.decode(block)).toEqual([['x-long', value]]);
  });
});

describe('encodeHeaderBlock', () => {
  it("encodes ':status' '200' as the single indexed octet 0x88 (§6.1)", () => {
    expect([...encodeHeaderBlock([[':status', '200']])]).toEqual([0x88]);
  });

  it('uses a static name index, or the 0x00 new-name form, for literals without indexing (§6.2.2)', () => {
    expect([...encodeHeaderBlock([['content-type', 'application/grpc']])]).toEqual([
      0x0f,
      0x10, // index 31 = 15 + 16
      0x10,
      ...Buffer.from('application/grpc'),
    ]);
    expect([...encodeHeaderBlock([['grpc-status', '0']])]).toEqual([
      0x00,
      0x0b,
      ...Buffer.from('grpc-status'),
      0x01,
      0x30,
    ]);
    expect([...encodeHeaderBlock([[':status', '503']])]).toEqual([0x08, 0x03, 0x35, 0x30, 0x33]);
  });

  it('round-trips through the decoder without touching its dynamic table', () => {
    const headers: Array<[string, string]> = [
      [':status', '200'],
      [':status', '418'],
      ['content-type', 'application/grpc'],
      ['accept-encoding', 'gzip, deflate'],
      ['accept-charset', ''],
      ['grpc-encoding', 'identity'],
      ['x-empty', ''],
      ['x-latin1', 'caf\u00e9 \u00ff\u0001'],
      ['x-long', 'q'.repeat(70_000)],
      ['grpc-status', '0'],
    ];
    const d = new HpackDecoder();
    const block = encodeHeaderBlock(headers);
    expect(d.decode(block)).toEqual(headers);
    expect(d.dynamicTableSize).toBe(0);
    // The scratch buffer is reused: a second, smaller block is independent of the first.
    const again = encodeHeaderBlock([[':status', '204']]);
    expect([...again]).toEqual([0x89]);
    expect(d.decode(block)).toEqual(headers);
  });

  it('rejects chars that are not octets', () => {
    expect(() => encodeHeaderBlock([['grpc-message', 'caf\u00e9 \u2603']])).toThrow(TypeError);
  });
});

describe('HpackDecoder: malformed blocks throw HpackError', () => {
  const cases: Array<[string, Buffer, number?, RegExp?]> = [
    ['indexed field with index 0 (§6.1)', Buffer.from([0x80])],
    ['index past the static table with an empty dynamic table', Buffer.from([0xbe])],
    ['huge index', Buffer.from([0xff, 0xff, 0xff, 0x7f])],
    ['literal whose name index is past the table', Buffer.from([0x7e, 0x01, 0x61])],
    ['never-indexed literal whose name index is past the table', Buffer.from([0x1f, 0x2f, 0x01, 0x61])],
    ['truncated integer: prefix full, no continuation octet', Buffer.from([0xff]), undefined, /past the end/],
    ['truncated integer: continuation bit set on the last octet', Buffer.from([0xff, 0x80])],
    // Size updates, so that the value would otherwise be acceptable and only the integer is at fault.
    ['integer overflow: 2^31', Buffer.from(integer(0x20, 5, 2 ** 31)), 2 ** 31 - 1, /overflow/],
    ['integer overflow: 2^35', Buffer.from([0x3f, 0xff, 0xff, 0xff, 0xff, 0x7f]), undefined, /overflow/],
    [
      'integer with a sixth continuation octet (§5.1 leaves the bound to us)',
      Buffer.from([0x3f, 0x81, 0x80, 0x80, 0x80, 0x80, 0x00]),
      undefined,
      /overflow/,
    ],
    ['truncated string length', Buffer.from([0x40, 0x7f])],
    ['missing name string', Buffer.from([0x40])],
    ['missing value string', Buffer.from([0x41])],
    ['name longer than the block', Buffer.from([0x40, 0x05, 0x61, 0x62])],
    ['value longer than the block', Buffer.from([0x01, 0x03, 0x61, 0x62])],
    ['huge string length', Buffer.from([0x01, 0x7f, 0xff, 0xff, 0xff, 0x07])],
    // 'a' is 00011: the rest of the octet must be ones (the start of EOS), not zeros.
    ['Huffman padding of zeros (§5.2)', literalWithValue([0x81], bits('00011 000'))],
    ['Huffman padding mixing ones and zeros', literalWithValue([0x81], bits('00011 101'))],
    ['Huffman padding of 8 bits (§5.2)', literalWithValue([0x82], bits('00011 111 11111111'))],
    ['Huffman string that is only a full octet of padding', literalWithValue([0x81], bits('11111111'))],
    ['Huffman string ending mid-symbol', literalWithValue([0x81], bits(codeBits(0x21).slice(0, 8)))],
    ['EOS inside a Huffman string (§5.2)', literalWithValue([0x84], bits('1'.repeat(30) + '11'))],
    ['EOS followed by a symbol', literalWithValue([0x85], bits(codeBits(256) + codeBits(0x61) + '11111'))],
    ['EOS after a symbol', literalWithValue([0x85], bits(codeBits(0x61) + codeBits(256) + '11111'))],
    ['EOS in a Huffman-coded name', Buffer.from([0x00, 0x84, 0xff, 0xff, 0xff, 0xff, 0x00])],
    ['table size update above the maximum (§6.3): 4097', Buffer.from([0x3f, 0xe2, 0x1f])],
    ['table size update after a header field (§4.2)', Buffer.from([0x82, 0x20])],
    ['table size update after a literal', Buffer.from([0x01, 0x00, 0x3f, 0x01])],
    ['table size update above a 256-octet maximum', Buffer.from([0x3f, 0xe2, 0x01]), 256],
  ];
  for (const [what, block, max, message] of cases) {
    it(what, () => {
      const decoder = new HpackDecoder(max);
      expect(() => decoder.decode(block)).toThrow(HpackError);
      if (message) expect(() => decoder.decode(block)).toThrow(message);
    });
  }

  it('accepts the boundary cases next to those errors', () => {
    expect(new HpackDecoder().decode(Buffer.from([0x3f, 0xe1, 0x1f]))).toEqual([]); // 4096
    expect(new HpackDecoder(256).decode(Buffer.from([0x3f, 0xe1, 0x01]))).toEqual([]); // 256
    expect(new HpackDecoder().decode(Buffer.from([0xbd]))).toEqual([['www-authenticate', '']]); // 61
    const largest = new HpackDecoder(2 ** 31 - 1);
    expect(largest.decode(Buffer.from(integer(0x20, 5, 2 ** 31 - 1)))).toEqual([]);
    expect(largest.dynamicTableMaxSize).toBe(2 ** 31 - 1);
    // Five continuation octets are fine (32 = 31 + 1, zero-padded).
    expect(new HpackDecoder().decode(Buffer.from([0x3f, 0x81, 0x80, 0x80, 0x80, 0x00]))).toEqual([]);
    expect(new HpackDecoder().decode(literalWithValue([0x81], bits('00011 111')))).toEqual([['x', 'a']]);
    expect(new HpackDecoder().decode(literalWithValue([0x80], Buffer.alloc(0)))).toEqual([['x', '']]);
    // Up to 7 bits of padding: five '0's are 25 bits, padded with seven ones to 4 octets.
    const sevenPadBits = bits(codeBits(0x30).repeat(5) + '1111111');
    expect(new HpackDecoder().decode(literalWithValue([0x84], sevenPadBits))).toEqual([['x', '00000']]);
  });
});

// --- A real encoder: nghttp2, under Node's http2 client ---

const FRAME_HEADERS = 0x1;
const FRAME_SETTINGS = 0x4;
const FRAME_CONTINUATION = 0x9;
const FLAG_ACK = 0x1;
const FLAG_END_HEADERS = 0x4;
const FLAG_PADDED = 0x8;
const FLAG_PRIORITY = 0x20;
const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n', 'latin1');

function frame(type: number, flags: number, streamId: number, payload = Buffer.alloc(0)): Buffer {
  const header = Buffer.alloc(9);
  header.writeUIntBE(payload.length, 0, 3);
  header[3] = type;
  header[4] = flags;
  header.writeUInt32BE(streamId, 5);
  return Buffer.concat([header, payload]);
}

type Captured = { streamId: number; block: Buffer; frames: number };

/**
 * Sends the requests from Node's http2 client to a bare TCP server that speaks just enough HTTP/2
 * to receive them (RFC 9113: preface, SETTINGS, HEADERS + CONTINUATION) and returns each request's
 * header block, in the order the encoder produced them.
 */
async function captureHeaderBlocks(
  requests: Array<Record<string, string | string[]>>,
): Promise<{ port: number; captured: Captured[] }> {
  const captured: Captured[] = [];
  let finish!: () => void;
  let fail!: (e: unknown) => void;
  const done = new Promise<void>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  const server = createServer((socket) => {
    socket.on('error', () => {});
    let input = Buffer.alloc(0);
    let sawPreface = false;
    let pending: { streamId: number; parts: Buffer[] } | undefined;
    socket.on('data', (chunk: Buffer) => {
      try {
        input = Buffer.concat([input, chunk]);
        if (!sawPreface) {
          if (input.length < PREFACE.length) return;
          if (!input.subarray(0, PREFACE.length).equals(PREFACE)) throw new Error('bad client preface');
          input = input.subarray(PREFACE.length);
          sawPreface = true;
        }
        while (input.length >= 9) {
          const length = input.readUIntBE(0, 3);
          if (input.length < 9 + length) break;
          const type = input[3]!;
          const flags = input[4]!;
          const streamId = input.readUInt32BE(5) & 0x7fffffff;
          const payload = input.subarray(9, 9 + length);
          input = input.subarray(9 + length);
          if (pending !== undefined && type !== FRAME_CONTINUATION) throw new Error('CONTINUATION expected');
          if (type === FRAME_SETTINGS && (flags & FLAG_ACK) === 0) {
            socket.write(Buffer.concat([frame(FRAME_SETTINGS, 0, 0), frame(FRAME_SETTINGS, FLAG_ACK, 0)]));
          } else if (type === FRAME_HEADERS) {
            let start = 0;
            let end = payload.length;
            if (flags & FLAG_PADDED) {
              end -= payload[0]!;
              start = 1;
            }
            if (flags & FLAG_PRIORITY) start += 5;
            pending = { streamId, parts: [payload.subarray(start, end)] };
          } else if (type === FRAME_CONTINUATION) {
            if (pending === undefined || pending.streamId !== streamId) throw new Error('stray CONTINUATION');
            pending.parts.push(payload);
          }
          if ((type === FRAME_HEADERS || type === FRAME_CONTINUATION) && flags & FLAG_END_HEADERS) {
            captured.push({ streamId, block: Buffer.concat(pending!.parts), frames: pending!.parts.length });
            pending = undefined;
            if (captured.length === requests.length) finish();
          }
        }
      } catch (e) {
        fail(e);
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const session = connect(`http://127.0.0.1:${port}`);
  session.on('error', () => {});
  try {
    for (const headers of requests) {
      const stream = session.request({ ...headers, ':authority': `127.0.0.1:${port}` }, { endStream: true });
      stream.on('error', () => {});
    }
    await done;
  } finally {
    session.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
  return { port, captured };
}

/** Octets of names and values, as sent uncompressed. */
function rawSize(headers: Record<string, string | string[]>): number {
  let size = 0;
  for (const [name, value] of Object.entries(headers)) {
    for (const v of Array.isArray(value) ? value : [value]) size += name.length + v.length;
  }
  return size;
}

/** The header fields as a sorted list, so order does not matter but repeats do. */
function multiset(fields: Array<[string, string]>): string[] {
  return fields.map(([n, v]) => `${n}: ${v}`).sort();
}

describe('HpackDecoder: header blocks from a real encoder (nghttp2 via node:http2)', () => {
  it('decodes 20 requests on one session exactly as sent', { timeout: 20_000 }, async () => {
    const seed = 0x5eed7541;
    const random = prng(seed);
    const printable = (n: number): string => {
      let s = '';
      for (let i = 0; i < n; i++) s += String.fromCharCode(0x20 + Math.floor(random() * 95));
      return s;
    };
    const token = (n: number): string => {
      const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.';
      let s = '';
      for (let i = 0; i < n; i++) s += alphabet[Math.floor(random() * alphabet.length)];
      return s;
    };
    const repeated = Array.from({ length: 6 }, () => printable(40 + Math.floor(random() * 60)));
    const mediums = Array.from({ length: 5 }, () => printable(900 + Math.floor(random() * 200)));
    let bearer = token(300);
    const requests: Array<Record<string, string | string[]>> = [];
    const methods = ['GetDocument', 'RunQuery', 'Commit', 'BatchGetDocuments', 'Listen'];
    for (let i = 0; i < 20; i++) {
      if (i % 7 === 6) bearer = token(300);
      const headers: Record<string, string | string[]> = {
        ':method': i % 4 === 3 ? 'GET' : 'POST',
        ':scheme': 'http',
        ':path': `/google.firestore.v1.Firestore/${methods[i % methods.length]}${i % 6 === 5 ? `?n=${i}` : ''}`,
        'content-type': 'application/grpc',
        te: 'trailers',
        'user-agent': 'grpc-node-js/1.14.7',
        'grpc-accept-encoding': 'identity,deflate,gzip',
        'accept-encoding': 'identity',
        'grpc-timeout': `${1 + Math.floor(random() * 99_999)}m`,
        authorization: `Bearer ${bearer}`,
        'x-goog-request-params': 'database=projects%2Fdemo%2Fdatabases%2F(default)',
        'x-changing': printable(Math.floor(random() * 120)),
        'x-medium': mediums[i % mediums.length]!,
        'x-multi': [repeated[0]!, printable(10)],
        'x-empty': '',
      };
      for (let k = 0; k < repeated.length; k++)
        if ((i + k) % 3 !== 0) headers[`x-repeat-${k}`] = repeated[k]!;
      if (i % 5 === 2) headers['x-big'] = printable(5_000);
      if (i === 13) headers['x-huge'] = printable(20_000); // > 16,384: needs CONTINUATION frames
      requests.push(headers);
    }
    requests[19] = { ...requests[18]! };

    const { port, captured } = await captureHeaderBlocks(requests);
    expect(captured).toHaveLength(20);
    const decoder = new HpackDecoder();
    for (const { streamId, block } of captured) {
      const sent = requests[(streamId - 1) / 2]!;
      const expected: Array<[string, string]> = [];
      for (const [name, value] of Object.entries(sent)) {
        for (const v of Array.isArray(value) ? value : [value]) expected.push([name, v]);
      }
      expected.push([':authority', `127.0.0.1:${port}`]);
      const decoded = decoder.decode(block);
      expect(multiset(decoded), `request on stream ${streamId} (seed ${seed})`).toEqual(multiset(expected));
      // Pseudo-header fields come first (RFC 9113 §8.3), and the decoder keeps the block's order.
      const firstRegular = decoded.findIndex(([n]) => !n.startsWith(':'));
      expect(decoded.slice(firstRegular).some(([n]) => n.startsWith(':'))).toBe(false);
      expect(decoder.dynamicTableSize).toBeLessThanOrEqual(4096);
    }
    // The run only means something if nghttp2 used what the decoder is meant to handle: Huffman
    // coding (no raw user-agent bytes in the first block), never-indexed fields (it sends
    // authorization as 0001xxxx with name index 23: 0x1f 0x08), the dynamic table (the last request
    // repeats the one before, so it is nearly all indexed references), and CONTINUATION frames.
    const first = captured.find((c) => c.streamId === 1)!.block;
    expect(first.includes('grpc-node-js')).toBe(false);
    expect(first.includes(Buffer.from([0x1f, 0x08]))).toBe(true);
    const last = captured.find((c) => c.streamId === 39)!.block;
    expect(last.length).toBeLessThan(rawSize(requests[19]!) / 4);
    expect(captured.some((c) => c.frames > 1)).toBe(true);
  });
});
