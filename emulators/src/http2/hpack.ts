/**
 * HPACK (RFC 7541): the header-block decoder for our HTTP/2 server, and a minimal encoder.
 *
 * Header names and values are octets, not text (RFC 7541 §5.2), so strings here are 'latin1': one
 * octet per char. That keeps every length, and so every dynamic-table size (§4.1), exact.
 */
import { HuffmanError, huffmanDecode } from './huffman.js';

/** Any malformed header block; the connection turns it into a COMPRESSION_ERROR (RFC 9113 §4.3). */
export class HpackError extends Error {
  override name = 'HpackError';
}

/** RFC 7541 Appendix A; index 0 is unused (§2.3.3: indices start at 1). */
// prettier-ignore
const STATIC_TABLE: ReadonlyArray<readonly [string, string]> = [
  ['', ''],
  [':authority', ''], [':method', 'GET'], [':method', 'POST'], [':path', '/'], [':path', '/index.html'],
  [':scheme', 'http'], [':scheme', 'https'], [':status', '200'], [':status', '204'], [':status', '206'],
  [':status', '304'], [':status', '400'], [':status', '404'], [':status', '500'], ['accept-charset', ''],
  ['accept-encoding', 'gzip, deflate'], ['accept-language', ''], ['accept-ranges', ''], ['accept', ''],
  ['access-control-allow-origin', ''], ['age', ''], ['allow', ''], ['authorization', ''],
  ['cache-control', ''], ['content-disposition', ''], ['content-encoding', ''], ['content-language', ''],
  ['content-length', ''], ['content-location', ''], ['content-range', ''], ['content-type', ''],
  ['cookie', ''], ['date', ''], ['etag', ''], ['expect', ''], ['expires', ''], ['from', ''], ['host', ''],
  ['if-match', ''], ['if-modified-since', ''], ['if-none-match', ''], ['if-range', ''],
  ['if-unmodified-since', ''], ['last-modified', ''], ['link', ''], ['location', ''], ['max-forwards', ''],
  ['proxy-authenticate', ''], ['proxy-authorization', ''], ['range', ''], ['referer', ''], ['refresh', ''],
  ['retry-after', ''], ['server', ''], ['set-cookie', ''], ['strict-transport-security', ''],
  ['transfer-encoding', ''], ['user-agent', ''], ['vary', ''], ['via', ''], ['www-authenticate', ''],
];
const STATIC_TABLE_LENGTH = STATIC_TABLE.length - 1; // 61
// Split into two arrays so an indexed field costs two array reads and no destructuring.
const STATIC_NAMES = STATIC_TABLE.map(([name]) => name);
const STATIC_VALUES = STATIC_TABLE.map(([, value]) => value);

/** §4.1: an entry's size counts 32 octets of overhead on top of its name and value. */
const ENTRY_OVERHEAD = 32;
/** Integers above this are rejected: no header block field legitimately needs more (§5.1). */
const MAX_INTEGER = 2 ** 31 - 1;
const DEFAULT_TABLE_SIZE = 4096;

/**
 * Node's Buffer has latin1Slice, the native call behind toString('latin1') without its argument
 * checks (~15% faster per string here); @types/node does not declare it.
 */
type Latin1Buffer = Buffer & { latin1Slice(start: number, end: number): string };

export class HpackDecoder {
  /** Our SETTINGS_HEADER_TABLE_SIZE: the most a size update (§6.3) may ask for. */
  private readonly maxTableSize: number;
  /** The current maximum size, as last set by the peer's size update (§4.2). */
  private capacity: number;
  private size = 0;
  // The dynamic table (§2.3.2) as a ring buffer of parallel arrays: inserting and evicting are
  // O(1) and nothing is allocated per entry. Dynamic index d (1 = newest) lives at
  // (head - d) & mask; the oldest entry at (head - count) & mask.
  private names: string[];
  private values: string[];
  private mask: number;
  private head = 0;
  private count = 0;
  /** Read position, shared with the helpers so they can return a value and advance it. */
  private pos = 0;

  constructor(maxTableSize: number = DEFAULT_TABLE_SIZE) {
    if (!Number.isInteger(maxTableSize) || maxTableSize < 0 || maxTableSize > MAX_INTEGER) {
      throw new RangeError(`bad HPACK table size ${maxTableSize}`);
    }
    this.maxTableSize = maxTableSize;
    this.capacity = maxTableSize;
    this.names = new Array<string>(16).fill('');
    this.values = new Array<string>(16).fill('');
    this.mask = 15;
  }

  /**
   * Decodes one complete header block (HEADERS + CONTINUATION payloads already concatenated).
   * Names are lower-case as sent (checking that is HTTP/2's job, RFC 9113 §8.2.1). After an
   * HpackError the dynamic table may hold part of the block: the connection must end, as a
   * COMPRESSION_ERROR requires anyway.
   */
  decode(block: Buffer): Array<[string, string]> {
    const headers: Array<[string, string]> = [];
    const end = block.length;
    let pos = 0;
    // §4.2: a dynamic table size update must come at the beginning of a header block.
    let fieldSeen = false;
    while (pos < end) {
      const b = block[pos]!;
      if (b >= 0x80) {
        // §6.1 Indexed Header Field: 1xxxxxxx, 7-bit prefix index.
        let index = b & 0x7f;
        if (index === 0x7f) {
          index = this.readInteger(block, pos, 0x7f);
          pos = this.pos;
        } else {
          pos++;
        }
        if (index === 0) throw new HpackError('indexed header field with index 0 (RFC 7541 §6.1)');
        if (index <= STATIC_TABLE_LENGTH) {
          headers.push([STATIC_NAMES[index]!, STATIC_VALUES[index]!]);
        } else {
          const slot = this.dynamicSlot(index);
          headers.push([this.names[slot]!, this.values[slot]!]);
        }
        fieldSeen = true;
      } else if (b >= 0x40) {
        // §6.2.1 Literal Header Field with Incremental Indexing: 01xxxxxx, 6-bit prefix name index.
        const name = this.readName(block, pos, 0x3f);
        const value = this.readString(block);
        pos = this.pos;
        headers.push([name, value]);
        this.add(name, value);
        fieldSeen = true;
      } else if (b >= 0x20) {
        // §6.3 Dynamic Table Size Update: 001xxxxx, 5-bit prefix.
        if (fieldSeen) {
          throw new HpackError('dynamic table size update after a header field (RFC 7541 §4.2)');
        }
        const size = this.readInteger(block, pos, 0x1f);
        pos = this.pos;
        if (size > this.maxTableSize) {
          throw new HpackError(
            `dynamic table size update to ${size} exceeds the ${this.maxTableSize} allowed (RFC 7541 §6.3)`,
          );
        }
        this.capacity = size;
        this.evictUntilFits(0);
      } else {
        // §6.2.2 without indexing (0000xxxx) and §6.2.3 never indexed (0001xxxx): 4-bit prefix.
        // "Never indexed" only binds intermediaries that re-encode; a server just reads the field.
        const name = this.readName(block, pos, 0x0f);
        const value = this.readString(block);
        pos = this.pos;
        headers.push([name, value]);
        fieldSeen = true;
      }
    }
    return headers;
  }

  /** The dynamic table's current size in octets (§4.1). */
  get dynamicTableSize(): number {
    return this.size;
  }

  /** The dynamic table's current maximum size, as set by size updates (§4.2). */
  get dynamicTableMaxSize(): number {
    return this.capacity;
  }

  /** The dynamic table's entries, newest (index 62) first; for tests and diagnostics. */
  dynamicTableEntries(): Array<[string, string]> {
    const entries: Array<[string, string]> = [];
    for (let d = 1; d <= this.count; d++) {
      const slot = (this.head - d) & this.mask;
      entries.push([this.names[slot]!, this.values[slot]!]);
    }
    return entries;
  }

  /** Ring-buffer slot of a dynamic-table index (§2.3.3: static entries first, then dynamic). */
  private dynamicSlot(index: number): number {
    const d = index - STATIC_TABLE_LENGTH;
    if (d > this.count) {
      throw new HpackError(`header index ${index} is past the end of the table (RFC 7541 §2.3.3)`);
    }
    return (this.head - d) & this.mask;
  }

  /** A literal field's name: indexed (prefix bits under mask) or, with index 0, a string literal. */
  private readName(block: Buffer, pos: number, mask: number): string {
    const index = this.readInteger(block, pos, mask);
    if (index === 0) return this.readString(block);
    if (index <= STATIC_TABLE_LENGTH) return STATIC_NAMES[index]!;
    return this.names[this.dynamicSlot(index)]!;
  }

  /**
   * §5.1: an integer whose first octet, at pos, carries it in the bits under mask (2^N - 1).
   * Leaves this.pos just past it.
   */
  private readInteger(block: Buffer, pos: number, mask: number): number {
    let value = block[pos++]! & mask;
    if (value === mask) {
      let multiplier = 1;
      for (let octets = 1; ; octets++) {
        if (pos >= block.length) {
          throw new HpackError('integer runs past the end of the header block (RFC 7541 §5.1)');
        }
        const b = block[pos++]!;
        value += (b & 0x7f) * multiplier;
        if (value > MAX_INTEGER) throw new HpackError('integer overflow (RFC 7541 §5.1)');
        if ((b & 0x80) === 0) break;
        // Five continuation octets already carry 35 bits: a sixth can only overflow or be padding.
        if (octets === 5) throw new HpackError('integer overflow (RFC 7541 §5.1)');
        multiplier *= 128;
      }
    }
    this.pos = pos;
    return value;
  }

  /** §5.2: a string literal at this.pos (H flag, 7-bit prefix length, octets); advances this.pos. */
  private readString(block: Buffer): string {
    const pos = this.pos;
    if (pos >= block.length) {
      throw new HpackError('header block ends where a string literal was expected (RFC 7541 §5.2)');
    }
    const huffman = block[pos]! >= 0x80;
    const length = this.readInteger(block, pos, 0x7f);
    const start = this.pos;
    const end = start + length;
    if (end > block.length) {
      throw new HpackError('string literal runs past the end of the header block (RFC 7541 §5.2)');
    }
    this.pos = end;
    if (!huffman) return (block as Latin1Buffer).latin1Slice(start, end);
    try {
      return huffmanDecode(block, start, end);
    } catch (e) {
      throw e instanceof HuffmanError ? new HpackError(e.message) : e;
    }
  }

  /** §4.4: adding evicts from the old end until the entry fits; a too-large entry empties the table. */
  private add(name: string, value: string): void {
    const entrySize = name.length + value.length + ENTRY_OVERHEAD;
    if (entrySize > this.capacity) {
      this.evictUntilFits(this.capacity + 1);
      return;
    }
    this.evictUntilFits(entrySize);
    if (this.count === this.mask + 1) this.grow();
    this.names[this.head] = name;
    this.values[this.head] = value;
    this.head = (this.head + 1) & this.mask;
    this.count++;
    this.size += entrySize;
  }

  /** §4.3/§4.4: evicts oldest entries until `room` more octets fit within the maximum size. */
  private evictUntilFits(room: number): void {
    while (this.count > 0 && this.size + room > this.capacity) {
      const slot = (this.head - this.count) & this.mask;
      this.size -= this.names[slot]!.length + this.values[slot]!.length + ENTRY_OVERHEAD;
      // Drop the references so evicted strings can be collected.
      this.names[slot] = '';
      this.values[slot] = '';
      this.count--;
    }
  }

  private grow(): void {
    const capacity = (this.mask + 1) * 2;
    const names = new Array<string>(capacity).fill('');
    const values = new Array<string>(capacity).fill('');
    // Oldest first, so the newest ends up just before the new head.
    for (let k = 0; k < this.count; k++) {
      const slot = (this.head - this.count + k) & this.mask;
      names[k] = this.names[slot]!;
      values[k] = this.values[slot]!;
    }
    this.names = names;
    this.values = values;
    this.head = this.count;
    this.mask = capacity - 1;
  }
}

// --- Encoder ---

/** Static-table lookup for the encoder: a name's first index, and the index of each of its values. */
const STATIC_INDEX = new Map<string, { index: number; values: Map<string, number> }>();
for (let index = 1; index <= STATIC_TABLE_LENGTH; index++) {
  const [name, value] = STATIC_TABLE[index]!;
  let entry = STATIC_INDEX.get(name);
  if (entry === undefined) STATIC_INDEX.set(name, (entry = { index, values: new Map() }));
  if (!entry.values.has(value)) entry.values.set(value, index);
}

// The encoder writes here, then copies out exactly the bytes used.
let encodeScratch = Buffer.allocUnsafe(1024);
// Names and values are octets: a char above U+00FF has no single-octet form.
const NOT_LATIN1 = /[\u0100-\uffff]/;

/**
 * Encodes headers (names already lower-case) without Huffman coding or a dynamic table, so the
 * peer's table size never matters: an indexed field (§6.1) where name and value match a static
 * entry, else a literal without indexing (§6.2.2) with a static name index where there is one.
 * Strings are written as 'latin1' octets; a char above U+00FF is a TypeError.
 */
export function encodeHeaderBlock(headers: Array<[string, string]>): Buffer {
  let buf = encodeScratch;
  let at = 0;
  for (const [name, value] of headers) {
    // Worst case: 1 + 5 octets per integer, three integers, plus the strings.
    const need = at + 18 + name.length + value.length;
    if (need > buf.length) {
      const bigger = Buffer.allocUnsafe(Math.max(need, buf.length * 2));
      buf.copy(bigger, 0, 0, at);
      buf = encodeScratch = bigger;
    }
    const known = STATIC_INDEX.get(name);
    const full = known?.values.get(value);
    if (full !== undefined) {
      at = writeInteger(buf, at, 0x80, 7, full);
      continue;
    }
    if (known !== undefined) {
      at = writeInteger(buf, at, 0x00, 4, known.index);
    } else {
      buf[at++] = 0x00;
      at = writeString(buf, at, name);
    }
    at = writeString(buf, at, value);
  }
  return Buffer.from(buf.subarray(0, at));
}

/** §5.1: value with an N-bit prefix, the octet's other bits set from `flags`. */
function writeInteger(buf: Buffer, at: number, flags: number, prefixBits: number, value: number): number {
  const max = (1 << prefixBits) - 1;
  if (value < max) {
    buf[at++] = flags | value;
    return at;
  }
  buf[at++] = flags | max;
  value -= max;
  while (value >= 0x80) {
    buf[at++] = (value & 0x7f) | 0x80;
    value = Math.floor(value / 128);
  }
  buf[at++] = value;
  return at;
}

/** §5.2: a raw (H = 0) string literal. */
function writeString(buf: Buffer, at: number, s: string): number {
  if (NOT_LATIN1.test(s)) throw new TypeError(`header name or value is not octets: ${JSON.stringify(s)}`);
  at = writeInteger(buf, at, 0x00, 7, s.length);
  return at + buf.write(s, at, 'latin1');
}
