/**
 * Pull lexer. The parser drives it because `/` means division after an operand but starts a
 * path literal where an operand is expected [RL][R.Path], and match patterns have their own
 * segment syntax — so the parser asks for raw scanning at those points.
 */
import { RulesCompileError } from './errors.js';

export type TokKind = 'ident' | 'int' | 'float' | 'string' | 'bytes' | 'punct' | 'eof';

export interface Token {
  kind: TokKind;
  /** Identifier name, punctuation, or decoded string text. */
  text: string;
  bytes?: Uint8Array;
  int?: bigint;
  num?: number;
  start: number;
  end: number;
}

const PUNCT3 = new Set<string>();
const PUNCT2 = new Set(['==', '!=', '<=', '>=', '&&', '||']);
const PUNCT1 = new Set([...'{}()[],;:.?!=<>+-*/%$']);

function isIdStart(c: number): boolean {
  return (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}
function isIdPart(c: number): boolean {
  return isIdStart(c) || (c >= 48 && c <= 57);
}
function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

export class Lexer {
  pos = 0;
  private readonly lineStarts: number[] = [0];

  constructor(readonly src: string) {
    for (let i = 0; i < src.length; i++) if (src.charCodeAt(i) === 10) this.lineStarts.push(i + 1);
  }

  /** 1-based line and column of an offset. */
  lineCol(offset: number): { line: number; column: number } {
    const ls = this.lineStarts;
    let lo = 0;
    let hi = ls.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((ls[mid] as number) <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - (ls[lo] as number) + 1 };
  }

  fail(offset: number, message: string): never {
    const { line, column } = this.lineCol(offset);
    throw RulesCompileError.at(line, column, message);
  }

  /** Skips whitespace and `//` / `/* *\/` comments ([RL]; block comments per the 3P report in the reference). */
  skipTrivia(): void {
    const s = this.src;
    for (;;) {
      const c = s.charCodeAt(this.pos);
      if (c === 32 || c === 9 || c === 10 || c === 13 || c === 0xfeff) {
        this.pos++;
      } else if (c === 47 && s.charCodeAt(this.pos + 1) === 47) {
        const nl = s.indexOf('\n', this.pos);
        this.pos = nl < 0 ? s.length : nl + 1;
      } else if (c === 47 && s.charCodeAt(this.pos + 1) === 42) {
        const end = s.indexOf('*/', this.pos + 2);
        if (end < 0) this.fail(this.pos, 'Unterminated comment.');
        this.pos = end + 2;
      } else {
        return;
      }
    }
  }

  next(): Token {
    this.skipTrivia();
    const s = this.src;
    const start = this.pos;
    if (start >= s.length) return { kind: 'eof', text: '', start, end: start };
    const c = s.charCodeAt(start);
    if ((c === 98 || c === 66) && (s[start + 1] === "'" || s[start + 1] === '"')) {
      this.pos++;
      const text = this.readQuoted(true);
      return { kind: 'bytes', text: '', bytes: Buffer.from(text, 'latin1'), start, end: this.pos };
    }
    if ((c === 114 || c === 82) && (s[start + 1] === "'" || s[start + 1] === '"')) {
      this.pos++;
      const q = s[this.pos] as string;
      const end = s.indexOf(q, this.pos + 1);
      if (end < 0 || s.slice(this.pos, end).includes('\n')) this.fail(start, 'Unterminated string.');
      this.pos = end + 1;
      return { kind: 'string', text: s.slice(start + 2, end), start, end: this.pos };
    }
    if (isIdStart(c)) {
      let p = start + 1;
      while (p < s.length && isIdPart(s.charCodeAt(p))) p++;
      this.pos = p;
      return { kind: 'ident', text: s.slice(start, p), start, end: p };
    }
    if (isDigit(c) || (c === 46 && isDigit(s.charCodeAt(start + 1)))) return this.readNumber();
    if (c === 39 || c === 34) {
      const text = this.readQuoted(false);
      return { kind: 'string', text, start, end: this.pos };
    }
    const two = s.slice(start, start + 2);
    if (PUNCT3.has(s.slice(start, start + 3))) {
      this.pos += 3;
      return { kind: 'punct', text: s.slice(start, start + 3), start, end: this.pos };
    }
    if (PUNCT2.has(two)) {
      this.pos += 2;
      return { kind: 'punct', text: two, start, end: this.pos };
    }
    const one = s[start] as string;
    if (PUNCT1.has(one)) {
      this.pos++;
      return { kind: 'punct', text: one, start, end: this.pos };
    }
    if (one === '&' || one === '|') this.fail(start, `Unexpected '${one}'. Did you mean '${one}${one}'?`);
    return this.fail(start, `Unexpected character '${one}'.`);
  }

  private readNumber(): Token {
    const s = this.src;
    const start = this.pos;
    let p = start;
    if (s[p] === '0' && (s[p + 1] === 'x' || s[p + 1] === 'X')) {
      p += 2;
      while (/[0-9a-fA-F]/.test(s[p] ?? '')) p++;
      if (p === start + 2) this.fail(start, 'Malformed hexadecimal literal.');
      this.pos = p;
      return this.intTok(BigInt(s.slice(start, p)), start);
    }
    while (isDigit(s.charCodeAt(p))) p++;
    let isFloat = false;
    if (s[p] === '.' && isDigit(s.charCodeAt(p + 1))) {
      isFloat = true;
      p++;
      while (isDigit(s.charCodeAt(p))) p++;
    }
    if (s[p] === 'e' || s[p] === 'E') {
      let q = p + 1;
      if (s[q] === '+' || s[q] === '-') q++;
      if (isDigit(s.charCodeAt(q))) {
        isFloat = true;
        p = q;
        while (isDigit(s.charCodeAt(p))) p++;
      }
    }
    this.pos = p;
    const text = s.slice(start, p);
    if (isFloat) return { kind: 'float', text, num: Number(text), start, end: p };
    return this.intTok(BigInt(text), start);
  }

  private intTok(v: bigint, start: number): Token {
    // 2^63 itself is allowed so that `-9223372036854775808` can be folded by the parser.
    if (v > 9223372036854775808n) this.fail(start, 'Integer literal out of range.');
    return { kind: 'int', text: this.src.slice(start, this.pos), int: v, start, end: this.pos };
  }

  /**
   * Reads a quoted literal with escapes. For bytes, characters are UTF-8 encoded and `\xHH` /
   * `\ooo` give single bytes [R.Bytes]; the result is a latin1 "byte string".
   */
  private readQuoted(bytes: boolean): string {
    const s = this.src;
    const q = s[this.pos] as string;
    const start = this.pos;
    this.pos++;
    let out = '';
    for (;;) {
      if (this.pos >= s.length || s[this.pos] === '\n') this.fail(start, 'Unterminated string.');
      const ch = s[this.pos] as string;
      if (ch === q) {
        this.pos++;
        return out;
      }
      if (ch !== '\\') {
        const cp = s.codePointAt(this.pos) as number;
        const chs = String.fromCodePoint(cp);
        out += bytes ? Buffer.from(chs, 'utf8').toString('latin1') : chs;
        this.pos += chs.length;
        continue;
      }
      const e = s[this.pos + 1];
      const escPos = this.pos;
      this.pos += 2;
      switch (e) {
        case 'n':
          out += '\n';
          break;
        case 't':
          out += '\t';
          break;
        case 'r':
          out += '\r';
          break;
        case 'b':
          out += '\b';
          break;
        case 'f':
          out += '\f';
          break;
        case 'v':
          out += '\v';
          break;
        case 'a':
          out += '\x07';
          break;
        case '\\':
        case "'":
        case '"':
        case '`':
        case '?':
          out += e;
          break;
        case 'x':
        case 'X': {
          const h = s.slice(this.pos, this.pos + 2);
          if (!/^[0-9a-fA-F]{2}$/.test(h)) this.fail(escPos, 'Invalid \\x escape: expected two hex digits.');
          this.pos += 2;
          out += String.fromCharCode(Number.parseInt(h, 16));
          break;
        }
        case 'u':
        case 'U': {
          const n = e === 'u' ? 4 : 8;
          const h = s.slice(this.pos, this.pos + n);
          if (!new RegExp(`^[0-9a-fA-F]{${n}}$`).test(h)) this.fail(escPos, `Invalid \\${e} escape.`);
          this.pos += n;
          const cp = Number.parseInt(h, 16);
          if (cp > 0x10ffff) this.fail(escPos, 'Invalid code point.');
          const chs = String.fromCodePoint(cp);
          out += bytes ? Buffer.from(chs, 'utf8').toString('latin1') : chs;
          break;
        }
        default: {
          if (e !== undefined && /[0-3]/.test(e) && /^[0-7]{2}$/.test(s.slice(this.pos, this.pos + 2))) {
            out += String.fromCharCode(Number.parseInt(s.slice(this.pos - 1, this.pos + 2), 8));
            this.pos += 2;
            break;
          }
          this.fail(escPos, `Invalid escape sequence '\\${e ?? ''}'.`);
        }
      }
    }
  }
}
