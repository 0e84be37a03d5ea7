/**
 * Just enough of PDF's syntax (ISO 32000-1 §7.2 lexical conventions, §7.3 objects) to read one
 * object the way readers do, starting anywhere: tokens, names with `#xx` escapes, strings skipped
 * with their nesting and escapes, dictionaries and arrays, and whether a stream follows. The
 * grammar follows pdf.js's Parser.getObj (a `]` where a dictionary value belongs is a value, a `>>`
 * inside an array an element), so a malformed dictionary ends where a reader's does.
 *
 * Every name token met is reported, at any depth; values are kept only as deep and as wide as the
 * stream dictionaries this module is used for need, so hostile nesting costs no memory.
 */

/** Thrown when the shared budget of lexed bytes runs out. */
export class LexBudgetExceeded extends Error {}

export class LexBudget {
  used = 0;
  constructor(public limit: number) {}
  charge(bytes: number): void {
    this.used += bytes;
    if (this.used > this.limit) throw new LexBudgetExceeded();
  }
}

export type Token =
  | { kind: 'name'; name: string }
  | { kind: 'number'; value: number }
  /** Keywords and delimiters: `<<`, `>>`, `[`, `]`, `{`, `}`, `obj`, `stream`, `R`, `true`… */
  | { kind: 'keyword'; word: string }
  | { kind: 'string' };

export type Value =
  | Token
  | { kind: 'array'; items: Value[] }
  | { kind: 'dict'; entries: Map<string, Value>; streamKeywordEnd?: number }
  | { kind: 'ref' }
  /** Nested deeper than MAX_DEPTH: skipped, its names still reported. */
  | { kind: 'deep' };

const MAX_DEPTH = 4;
const MAX_ITEMS = 256;

const isWhite = (b: number): boolean => b === 0 || b === 9 || b === 10 || b === 12 || b === 13 || b === 32;
// ( ) < > [ ] { } / %
const isDelimiter = (b: number): boolean =>
  b === 0x28 ||
  b === 0x29 ||
  b === 0x3c ||
  b === 0x3e ||
  b === 0x5b ||
  b === 0x5d ||
  b === 0x7b ||
  b === 0x7d ||
  b === 0x2f ||
  b === 0x25;
export const isRegular = (b: number): boolean => !isWhite(b) && !isDelimiter(b);

const hexValue = (b: number): number =>
  b >= 0x30 && b <= 0x39 ? b - 0x30 : (b | 0x20) >= 0x61 && (b | 0x20) <= 0x66 ? (b | 0x20) - 0x57 : -1;

interface Lexed {
  token: Token;
  end: number;
}

class Lexer {
  constructor(
    private readonly bytes: Uint8Array,
    private pos: number,
    private readonly budget: LexBudget,
    private readonly onName: (name: string) => void,
  ) {}

  next(): Lexed | undefined {
    const from = this.pos;
    const token = this.read();
    this.budget.charge(this.pos - from);
    if (token?.kind === 'name') this.onName(token.name);
    return token && { token, end: this.pos };
  }

  private read(): Token | undefined {
    const b = this.bytes;
    for (;;) {
      if (this.pos >= b.length) return undefined;
      const c = b[this.pos]!;
      if (isWhite(c)) this.pos++;
      else if (c === 0x25) while (this.pos < b.length && b[this.pos] !== 10 && b[this.pos] !== 13) this.pos++;
      else break;
    }
    const c = b[this.pos++]!;
    switch (c) {
      case 0x28: // (
        for (let depth = 1; depth > 0 && this.pos < b.length;) {
          const d = b[this.pos++]!;
          if (d === 0x5c) this.pos++;
          else if (d === 0x28) depth++;
          else if (d === 0x29) depth--;
        }
        this.pos = Math.min(this.pos, b.length);
        return { kind: 'string' };
      case 0x3c: // < or <<
        if (b[this.pos] === 0x3c) {
          this.pos++;
          return { kind: 'keyword', word: '<<' };
        }
        while (this.pos < b.length && b[this.pos] !== 0x3e) this.pos++;
        this.pos = Math.min(this.pos + 1, b.length);
        return { kind: 'string' };
      case 0x3e: // > or >>
        if (b[this.pos] === 0x3e) {
          this.pos++;
          return { kind: 'keyword', word: '>>' };
        }
        return { kind: 'keyword', word: '>' };
      case 0x2f: // /
        return { kind: 'name', name: this.readName() };
      default: {
        if (!isRegular(c)) return { kind: 'keyword', word: String.fromCharCode(c) };
        const start = this.pos - 1;
        while (this.pos < b.length && isRegular(b[this.pos]!)) this.pos++;
        const word = Buffer.from(b.buffer, b.byteOffset + start, this.pos - start).toString('latin1');
        const value = Number(word);
        return /^[+-]?(\d+\.?\d*|\.\d+)$/.test(word) ? { kind: 'number', value } : { kind: 'keyword', word };
      }
    }
  }

  /** §7.3.5: `#` and two hex digits stand for one byte (`/J#61vaScript` is `/JavaScript`). */
  private readName(): string {
    const b = this.bytes;
    const out: number[] = [];
    while (this.pos < b.length && isRegular(b[this.pos]!)) {
      const c = b[this.pos++]!;
      const high = c === 0x23 ? hexValue(b[this.pos] ?? -1) : -1;
      const low = high >= 0 ? hexValue(b[this.pos + 1] ?? -1) : -1;
      if (low >= 0) {
        out.push(high * 16 + low);
        this.pos += 2;
      } else {
        out.push(c);
      }
    }
    return Buffer.from(out).toString('latin1');
  }
}

const isWord = (lexed: Lexed | undefined, word: string): boolean =>
  lexed?.token.kind === 'keyword' && lexed.token.word === word;

/** Reads one object with two tokens of lookahead, as pdf.js does. */
class Parser {
  private buf1: Lexed | undefined;
  private buf2: Lexed | undefined;

  constructor(private readonly lexer: Lexer) {
    this.buf1 = lexer.next();
    this.buf2 = this.buf1 && lexer.next();
  }

  private shift(): void {
    this.buf1 = this.buf2;
    this.buf2 = this.buf1 && this.lexer.next();
  }

  /** Tokens (and the names in them) up to the end of a container opened `levels` deep. */
  private skipNested(levels: number): void {
    while (this.buf1 && levels > 0) {
      if (isWord(this.buf1, '[') || isWord(this.buf1, '<<')) levels++;
      else if (isWord(this.buf1, ']') || isWord(this.buf1, '>>')) levels--;
      this.shift();
    }
  }

  getObj(depth = 0): Value | undefined {
    const first = this.buf1;
    if (!first) return undefined;
    this.shift();
    const { token } = first;
    if (token.kind === 'number' && Number.isInteger(token.value)) {
      if (this.buf1?.token.kind === 'number' && isWord(this.buf2, 'R')) {
        this.shift();
        this.shift();
        return { kind: 'ref' };
      }
      return token;
    }
    if (token.kind !== 'keyword' || (token.word !== '[' && token.word !== '<<')) return token;
    if (depth >= MAX_DEPTH) {
      this.skipNested(1);
      return { kind: 'deep' };
    }
    if (token.word === '[') {
      const items: Value[] = [];
      while (this.buf1 && !isWord(this.buf1, ']')) {
        const item = this.getObj(depth + 1);
        if (item && items.length < MAX_ITEMS) items.push(item);
      }
      this.shift();
      return { kind: 'array', items };
    }
    const entries = new Map<string, Value>();
    while (this.buf1 && !isWord(this.buf1, '>>')) {
      const key = this.buf1.token;
      this.shift();
      if (key.kind !== 'name' || !this.buf1) continue;
      const value = this.getObj(depth + 1);
      if (value && entries.size < MAX_ITEMS) entries.set(key.name, value);
    }
    if (!this.buf1) return { kind: 'dict', entries };
    // Stop at the keyword: what follows is stream data, not tokens.
    if (depth === 0 && isWord(this.buf2, 'stream'))
      return { kind: 'dict', entries, streamKeywordEnd: this.buf2!.end };
    this.shift();
    return { kind: 'dict', entries };
  }
}

/** The one object starting at `pos` (after `12 0 obj`, `trailer` or an object stream offset). */
export function readObject(
  bytes: Uint8Array,
  pos: number,
  budget: LexBudget,
  onName: (name: string) => void,
): Value | undefined {
  return new Parser(new Lexer(bytes, pos, budget, onName)).getObj();
}

/** The integers at `pos`, as many as `count` (an object stream's number/offset pairs). */
export function readIntegers(bytes: Uint8Array, pos: number, count: number, budget: LexBudget): number[] {
  const lexer = new Lexer(bytes, pos, budget, () => undefined);
  const out: number[] = [];
  while (out.length < count) {
    const lexed = lexer.next();
    if (lexed?.token.kind !== 'number' || !Number.isSafeInteger(lexed.token.value)) break;
    out.push(lexed.token.value);
  }
  return out;
}

/**
 * Where a stream's data starts: past the end of the line holding `stream` (§7.3.8.1 wants CRLF or
 * LF right after the keyword; pdf.js skips to the next line end, and so does this).
 */
export function streamDataStart(bytes: Uint8Array, keywordEnd: number): number {
  let at = keywordEnd;
  while (at < bytes.length && bytes[at] !== 10 && bytes[at] !== 13) at++;
  if (bytes[at] === 13) at++;
  if (bytes[at] === 10) at++;
  return at;
}
