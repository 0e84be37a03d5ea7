/**
 * The HPACK Huffman code (RFC 7541 §5.2, Appendix B).
 *
 * Appendix B is a canonical Huffman code: every codeword follows from the code lengths alone
 * (symbols sorted by (length, value) take consecutive codes, shifted left whenever the length
 * grows). So only the 257 lengths are written down here; the codes and the decoder's tables are
 * derived at module load (well under a millisecond), where a check also catches a mistyped length
 * that leaves the code incomplete (the RFC's test vectors catch the rest).
 *
 * Decoding runs a state machine over the input four bits at a time. A state is an internal node of
 * the code tree (a complete binary tree with 257 leaves has exactly 256 of them, so a state fits in
 * a byte), and one 16 KiB table gives, for each state and nibble, the next state and the symbol
 * completed on the way, if any (codes are at least 5 bits, so a nibble completes at most one).
 * Measured against a 9-bit peek table with a canonical fallback for long codes, this was about
 * twice as fast (≈0.15 µs for a 40-character value, plus the string creation); a byte-wide
 * machine was only ~20% faster again but needs a 256 KiB table and ~10 ms to build.
 */

/** Code lengths in bits for octets 0..255, then EOS (256). RFC 7541 Appendix B. */
// prettier-ignore
const CODE_LENGTHS: readonly number[] = [
  13, 23, 28, 28, 28, 28, 28, 28, 28, 24, 30, 28, 28, 30, 28, 28,
  28, 28, 28, 28, 28, 28, 30, 28, 28, 28, 28, 28, 28, 28, 28, 28,
  6, 10, 10, 12, 13, 6, 8, 11, 10, 10, 8, 11, 8, 6, 6, 6,
  5, 5, 5, 6, 6, 6, 6, 6, 6, 6, 7, 8, 15, 6, 12, 10,
  13, 6, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7,
  7, 7, 7, 7, 7, 7, 7, 7, 8, 7, 8, 13, 19, 13, 14, 6,
  15, 5, 6, 5, 6, 5, 6, 6, 6, 5, 7, 7, 6, 6, 6, 5,
  6, 7, 6, 5, 5, 6, 7, 7, 7, 7, 7, 15, 11, 14, 13, 28,
  20, 22, 20, 20, 22, 22, 22, 23, 22, 23, 23, 23, 23, 23, 24, 23,
  24, 24, 22, 23, 24, 23, 23, 23, 23, 21, 22, 23, 22, 23, 23, 24,
  22, 21, 20, 22, 22, 23, 23, 21, 23, 22, 22, 24, 21, 22, 23, 23,
  21, 21, 22, 21, 23, 22, 23, 23, 20, 22, 22, 22, 23, 22, 22, 23,
  26, 26, 20, 19, 22, 23, 22, 25, 26, 26, 26, 27, 27, 26, 24, 25,
  19, 21, 26, 27, 27, 26, 27, 24, 21, 21, 26, 26, 28, 27, 27, 27,
  20, 24, 20, 21, 22, 21, 21, 23, 22, 22, 25, 25, 24, 24, 26, 23,
  26, 27, 26, 26, 27, 27, 27, 27, 27, 28, 27, 27, 27, 27, 27, 26,
  30, // EOS
];

export const EOS = 256;
const MAX_LEN = 30;

export class HuffmanError extends Error {}

// --- The canonical code (RFC 7541 Appendix B), from the lengths ---

/** CODES[sym] is sym's codeword, right-aligned in CODE_LENGTHS[sym] bits. */
const CODES = new Uint32Array(CODE_LENGTHS.length);
{
  const countByLen = new Array<number>(MAX_LEN + 1).fill(0);
  for (const len of CODE_LENGTHS) countByLen[len]!++;
  // nextCode[len]: the code the next symbol of that length gets (symbols in ascending order).
  const nextCode = new Array<number>(MAX_LEN + 1).fill(0);
  let code = 0;
  for (let len = 1; len <= MAX_LEN; len++) {
    nextCode[len] = code;
    code = (code + countByLen[len]!) * 2;
  }
  for (let sym = 0; sym < CODE_LENGTHS.length; sym++) CODES[sym] = nextCode[CODE_LENGTHS[sym]!]!++;
}
// A mistyped length would leave the code incomplete or over-full; exactly when it is complete, the
// last codeword handed out (EOS: the largest symbol of the longest length) is all ones.
if (CODE_LENGTHS[EOS] !== MAX_LEN || CODES[EOS] !== 2 ** MAX_LEN - 1) {
  throw new Error('HPACK Huffman code lengths do not form a complete canonical code');
}

// --- The decoding state machine ---

/** Node 0 is the root. A child > 0 is an internal node; a child < 0 is the leaf of symbol -child - 1. */
const CHILD0 = new Int16Array(256);
const CHILD1 = new Int16Array(256);
/** Nodes whose path from the root is all ones and at most 7 bits long: where a string may end (§5.2). */
const MAY_END = new Uint8Array(256);
{
  let nodes = 1;
  MAY_END[0] = 1;
  for (let sym = 0; sym < CODE_LENGTHS.length; sym++) {
    const len = CODE_LENGTHS[sym]!;
    let node = 0;
    for (let b = len - 1; b > 0; b--) {
      const children = (CODES[sym]! >>> b) & 1 ? CHILD1 : CHILD0;
      if (children[node] === 0) {
        children[node] = nodes;
        if (children === CHILD1 && MAY_END[node] && len - b <= 7) MAY_END[nodes] = 1;
        nodes++;
      }
      node = children[node]!;
    }
    (CODES[sym]! & 1 ? CHILD1 : CHILD0)[node] = -sym - 1;
  }
  if (nodes !== 256) throw new Error('HPACK Huffman code tree is not complete');
}

/** Table entry flags, above the next state (bits 0-7) and the emitted symbol (bits 8-15). */
const EMIT = 1 << 16;
const FAIL = 1 << 17;
/** TRANSITIONS[state << 4 | nibble]: the next state, plus EMIT and the symbol, or FAIL on EOS. */
const TRANSITIONS = new Uint32Array(256 * 16);
for (let state = 0; state < 256; state++) {
  for (let nibble = 0; nibble < 16; nibble++) {
    let node = state;
    let entry = 0;
    for (let b = 3; b >= 0; b--) {
      const child = ((nibble >>> b) & 1 ? CHILD1 : CHILD0)[node]!;
      if (child > 0) {
        node = child;
        continue;
      }
      const sym = -child - 1;
      // §5.2: "A Huffman-encoded string literal containing the EOS symbol MUST be treated as a
      // decoding error."
      if (sym === EOS) {
        entry = FAIL;
        break;
      }
      entry = EMIT | (sym << 8);
      node = 0;
    }
    TRANSITIONS[(state << 4) | nibble] = entry === FAIL ? FAIL : entry | node;
  }
}

/** The codeword of a symbol (0..255, or EOS), right-aligned, and its length in bits. */
export function huffmanCode(sym: number): { code: number; length: number } {
  const length = CODE_LENGTHS[sym];
  if (length === undefined) throw new RangeError(`no Huffman symbol ${sym}`);
  return { code: CODES[sym]!, length };
}

// Decoded octets land here before becoming a string; grown on demand, never shrunk, so decoding
// allocates only the result string. Safe to share: decoding is synchronous.
let scratch = Buffer.allocUnsafe(512);

/**
 * Decodes the Huffman-coded string literal in src[start, end) to a 'latin1' string (one octet per
 * char). Throws HuffmanError on an EOS symbol inside the string, or on padding that is longer than
 * 7 bits or is not the most significant bits of EOS (all ones): RFC 7541 §5.2.
 */
export function huffmanDecode(src: Uint8Array, start: number, end: number): string {
  // No code is shorter than 5 bits, so len octets decode to at most len * 8 / 5 octets.
  const maxOut = Math.ceil(((end - start) * 8) / 5);
  if (scratch.length < maxOut) scratch = Buffer.allocUnsafe(Math.max(maxOut, scratch.length * 2));
  const dst = scratch;
  let out = 0;
  let state = 0;
  for (let i = start; i < end; i++) {
    const octet = src[i]!;
    let entry = TRANSITIONS[(state << 4) | (octet >>> 4)]!;
    if (entry >= EMIT) {
      if (entry & FAIL) throw new HuffmanError('Huffman-coded string contains EOS (RFC 7541 §5.2)');
      dst[out++] = (entry >>> 8) & 0xff;
    }
    entry = TRANSITIONS[((entry & 0xff) << 4) | (octet & 0x0f)]!;
    if (entry >= EMIT) {
      if (entry & FAIL) throw new HuffmanError('Huffman-coded string contains EOS (RFC 7541 §5.2)');
      dst[out++] = (entry >>> 8) & 0xff;
    }
    state = entry & 0xff;
  }
  if (MAY_END[state] === 0) {
    throw new HuffmanError(
      'Huffman padding is longer than 7 bits or not the most significant bits of EOS (RFC 7541 §5.2)',
    );
  }
  return (dst as Buffer & { latin1Slice(start: number, end: number): string }).latin1Slice(0, out);
}
