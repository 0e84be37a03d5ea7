/**
 * Recursive-descent parser for rules files. Grammar and precedence follow [RL]
 * ("Operators and operator precedence", high → low: `a[i] a() a.f`, unary `! -`, `* / %`,
 * `+ -`, `< <= > >=`, `in`, `is`, `== !=`, `&&`, `||`, `?:`). Semicolons after statements are
 * accepted but optional, as in the official samples that omit them before `}`.
 */
import type {
  AllowStmt,
  BinaryOp,
  Expr,
  FunctionDecl,
  LetDecl,
  MatchBlock,
  PathPart,
  PatternSeg,
  Pos,
  RulesFile,
} from './ast.js';
import { Lexer, type Token } from './lexer.js';

const PATH_CHAR = /[A-Za-z0-9_\-.~%@+]/;

class Parser {
  private tok: Token;
  private readonly lx: Lexer;

  constructor(src: string) {
    this.lx = new Lexer(src);
    this.tok = this.lx.next();
  }

  private pos(t: Token = this.tok): Pos {
    return this.lx.lineCol(t.start);
  }

  private describe(t: Token): string {
    if (t.kind === 'eof') return 'end of input';
    return `'${this.lx.src.slice(t.start, t.end)}'`;
  }

  private unexpected(t: Token = this.tok, expected?: string): never {
    return this.lx.fail(
      t.start,
      `Unexpected ${this.describe(t)}.${expected ? ` Expected ${expected}.` : ''}`,
    );
  }

  private advance(): Token {
    const t = this.tok;
    this.tok = this.lx.next();
    return t;
  }

  private isP(text: string): boolean {
    return this.tok.kind === 'punct' && this.tok.text === text;
  }

  private isKw(text: string): boolean {
    return this.tok.kind === 'ident' && this.tok.text === text;
  }

  private eatP(text: string): boolean {
    if (!this.isP(text)) return false;
    this.advance();
    return true;
  }

  private expectP(text: string): Token {
    if (!this.isP(text)) this.unexpected(this.tok, `'${text}'`);
    return this.advance();
  }

  private expectIdent(what: string): Token {
    if (this.tok.kind !== 'ident') this.unexpected(this.tok, what);
    return this.advance();
  }

  parseFile(): RulesFile {
    let version: '1' | '2' = '1';
    if (this.isKw('rules_version')) {
      this.advance();
      this.expectP('=');
      const v = this.tok;
      if (v.kind !== 'string' || (v.text !== '1' && v.text !== '2')) {
        this.lx.fail(
          v.start,
          `Invalid rules_version ${this.lx.src.slice(v.start, v.end) || 'value'}. Expected '1' or '2'.`,
        );
      }
      version = v.text as '1' | '2';
      this.advance();
      this.eatP(';');
    }
    if (!this.isKw('service')) this.unexpected(this.tok, "'service'");
    this.advance();
    const nameTok = this.tok;
    let name = this.expectIdent('a service name').text;
    while (this.eatP('.')) name += '.' + this.expectIdent('a service name').text;
    if (name !== 'cloud.firestore' && name !== 'firebase.storage') {
      this.lx.fail(
        nameTok.start,
        `Unknown service '${name}'. Expected 'cloud.firestore' or 'firebase.storage'.`,
      );
    }
    this.expectP('{');
    const functions: FunctionDecl[] = [];
    const matches: MatchBlock[] = [];
    while (!this.isP('}')) {
      if (this.isKw('function')) functions.push(this.parseFunction());
      else if (this.isKw('match')) matches.push(this.parseMatch(version));
      else this.unexpected(this.tok, "'match' or 'function'");
    }
    this.advance();
    if (this.tok.kind !== 'eof') this.unexpected(this.tok, 'end of input');
    return { version, service: name, functions, matches };
  }

  private parseMatch(version: '1' | '2'): MatchBlock {
    const at = this.pos();
    this.advance();
    const pattern = this.scanPattern();
    this.expectP('{');
    const block: MatchBlock = { ...at, pattern, matches: [], allows: [], functions: [] };
    while (!this.isP('}')) {
      if (this.isKw('match')) block.matches.push(this.parseMatch(version));
      else if (this.isKw('allow')) block.allows.push(this.parseAllow());
      else if (this.isKw('function')) block.functions.push(this.parseFunction());
      else this.unexpected(this.tok, "'match', 'allow' or 'function'");
    }
    this.advance();
    return block;
  }

  /** `match` path: literal segments, `{x}`, `{x=*}`, `{x=**}` [RL][RS]. Scanned raw from the source. */
  private scanPattern(): (PatternSeg & Pos)[] {
    const lx = this.lx;
    const s = lx.src;
    lx.pos = this.tok.start;
    if (s[lx.pos] !== '/') this.unexpected(this.tok, 'a path starting with /');
    const segs: (PatternSeg & Pos)[] = [];
    while (s[lx.pos] === '/') {
      lx.pos++;
      const segStart = lx.pos;
      const at = lx.lineCol(segStart);
      if (s[lx.pos] === '{') {
        const close = s.indexOf('}', lx.pos);
        const body = close < 0 ? '' : s.slice(lx.pos + 1, close);
        const m = /^\s*([A-Za-z_][A-Za-z0-9_]*)\s*(?:=\s*(\*\*|\*)\s*)?$/.exec(body);
        if (close < 0 || !m)
          return lx.fail(segStart, 'Invalid path variable. Expected {name}, {name=*} or {name=**}.');
        segs.push({ ...at, kind: m[2] === '**' ? 'glob' : 'cap', name: m[1] as string });
        lx.pos = close + 1;
      } else {
        let p = lx.pos;
        while (p < s.length && !/[\s/{}]/.test(s[p] as string)) p++;
        if (p === lx.pos) lx.fail(segStart, 'Empty path segment.');
        segs.push({ ...at, kind: 'lit', text: s.slice(lx.pos, p) });
        lx.pos = p;
      }
    }
    this.tok = lx.next();
    return segs;
  }

  private parseAllow(): AllowStmt {
    const at = this.pos();
    this.advance();
    const methods: AllowStmt['methods'] = [];
    do {
      const t = this.expectIdent('a method (read, write, get, list, create, update, delete)');
      methods.push({ ...this.lx.lineCol(t.start), name: t.text });
    } while (this.eatP(','));
    const stmt: AllowStmt = { ...at, methods };
    if (this.eatP(':')) {
      if (!this.isKw('if')) this.unexpected(this.tok, "'if'");
      this.advance();
      stmt.cond = this.parseExpr();
    }
    // A statement may end without ';' where the next one unambiguously starts.
    const next = this.isP('}') || this.isKw('allow') || this.isKw('match') || this.isKw('function');
    if (!this.eatP(';') && !next) this.unexpected(this.tok, "';'");
    return stmt;
  }

  private parseFunction(): FunctionDecl {
    const at = this.pos();
    this.advance();
    const name = this.expectIdent('a function name').text;
    this.expectP('(');
    const params: string[] = [];
    if (!this.isP(')')) {
      do params.push(this.expectIdent('a parameter name').text);
      while (this.eatP(','));
    }
    this.expectP(')');
    this.expectP('{');
    const lets: LetDecl[] = [];
    while (this.isKw('let')) {
      const lat = this.pos();
      this.advance();
      const n = this.expectIdent('a variable name').text;
      this.expectP('=');
      lets.push({ ...lat, name: n, expr: this.parseExpr() });
      this.eatP(';');
    }
    if (!this.isKw('return')) this.unexpected(this.tok, lets.length ? "'let' or 'return'" : "'return'");
    this.advance();
    const ret = this.parseExpr();
    this.eatP(';');
    this.expectP('}');
    return { ...at, name, params, lets, ret, id: -1 };
  }

  parseExpr(): Expr {
    const c = this.parseBinary(0);
    if (!this.isP('?')) return c;
    this.advance();
    const t = this.parseExpr();
    this.expectP(':');
    const f = this.parseExpr();
    return { k: 'cond', c, t, f, line: c.line, column: c.column };
  }

  private static readonly LEVELS: readonly (readonly string[])[] = [
    ['||'],
    ['&&'],
    ['==', '!='],
    ['is'],
    ['in'],
    ['<', '<=', '>', '>='],
    ['+', '-'],
    ['*', '/', '%'],
  ];

  private parseBinary(level: number): Expr {
    const ops = Parser.LEVELS[level];
    if (!ops) return this.parseUnary();
    let l = this.parseBinary(level + 1);
    for (;;) {
      const t = this.tok;
      const isOp =
        (t.kind === 'punct' || (t.kind === 'ident' && (t.text === 'in' || t.text === 'is'))) &&
        ops.includes(t.text);
      if (!isOp) return l;
      this.advance();
      if (t.text === 'is') {
        const ty = this.expectIdent('a type name');
        l = { k: 'is', e: l, type: ty.text, line: l.line, column: l.column };
        continue;
      }
      const r = this.parseBinary(level + 1);
      l = { k: 'binary', op: t.text as BinaryOp, l, r, line: l.line, column: l.column };
    }
  }

  private parseUnary(): Expr {
    const at = this.pos();
    if (this.isP('!')) {
      this.advance();
      return { k: 'unary', op: '!', e: this.parseUnary(), ...at };
    }
    if (this.isP('-')) {
      this.advance();
      const t = this.tok;
      if (t.kind === 'int' || t.kind === 'float') {
        this.advance();
        const v = t.kind === 'int' ? -(t.int as bigint) : -(t.num as number);
        return this.parsePostfix({ k: 'lit', v, ...at });
      }
      return { k: 'unary', op: '-', e: this.parseUnary(), ...at };
    }
    return this.parsePostfix(this.parsePrimary());
  }

  private parsePostfix(operand: Expr): Expr {
    let e = operand;
    for (;;) {
      if (this.isP('.')) {
        this.advance();
        const nt = this.expectIdent('a property name');
        const at = this.lx.lineCol(nt.start);
        if (this.isP('(')) {
          const args = this.parseArgs();
          e = { k: 'mcall', obj: e, name: nt.text, args, ...at };
        } else {
          e = { k: 'member', obj: e, name: nt.text, ...at };
        }
      } else if (this.isP('[')) {
        const at = this.pos();
        this.advance();
        if (this.eatP(':')) {
          const hi = this.parseExpr();
          this.expectP(']');
          e = { k: 'slice', obj: e, hi, ...at };
          continue;
        }
        const index = this.parseExpr();
        if (this.eatP(':')) {
          const hi = this.isP(']') ? undefined : this.parseExpr();
          this.expectP(']');
          e = hi ? { k: 'slice', obj: e, lo: index, hi, ...at } : { k: 'slice', obj: e, lo: index, ...at };
        } else {
          this.expectP(']');
          e = { k: 'index', obj: e, index, ...at };
        }
      } else {
        return e;
      }
    }
  }

  private parseArgs(): Expr[] {
    this.expectP('(');
    const args: Expr[] = [];
    if (!this.isP(')')) {
      do args.push(this.parseExpr());
      while (this.eatP(','));
    }
    this.expectP(')');
    return args;
  }

  private parsePrimary(): Expr {
    const t = this.tok;
    const at = this.pos();
    switch (t.kind) {
      case 'int':
        if ((t.int as bigint) > 9223372036854775807n) this.lx.fail(t.start, 'Integer literal out of range.');
        this.advance();
        return { k: 'lit', v: t.int as bigint, ...at };
      case 'float':
        this.advance();
        return { k: 'lit', v: t.num as number, ...at };
      case 'string':
        this.advance();
        return { k: 'lit', v: t.text, ...at };
      case 'bytes':
        this.advance();
        return { k: 'lit', v: t.bytes as Uint8Array, ...at };
      case 'ident': {
        this.advance();
        if (t.text === 'true' || t.text === 'false') return { k: 'lit', v: t.text === 'true', ...at };
        if (t.text === 'null') return { k: 'lit', v: null, ...at };
        if (RESERVED.has(t.text)) this.unexpected(t, 'an expression');
        if (this.isP('(')) return { k: 'call', name: t.text, args: this.parseArgs(), ...at };
        return { k: 'ident', name: t.text, ...at };
      }
      case 'punct':
        if (t.text === '(') {
          this.advance();
          const e = this.parseExpr();
          this.expectP(')');
          return e;
        }
        if (t.text === '[') {
          this.advance();
          const items: Expr[] = [];
          while (!this.isP(']')) {
            items.push(this.parseExpr());
            if (!this.eatP(',')) break;
          }
          this.expectP(']');
          return { k: 'list', items, ...at };
        }
        if (t.text === '{') {
          this.advance();
          const entries: [Expr, Expr][] = [];
          while (!this.isP('}')) {
            const key = this.parseExpr();
            this.expectP(':');
            entries.push([key, this.parseExpr()]);
            if (!this.eatP(',')) break;
          }
          this.expectP('}');
          return { k: 'map', entries, ...at };
        }
        if (t.text === '/') return this.scanPathLiteral(at);
        break;
    }
    return this.unexpected(t, 'an expression');
  }

  /** Path literal `/a/$(expr)/(default)` [R.Path][RC]. */
  private scanPathLiteral(at: Pos): Expr {
    const lx = this.lx;
    const s = lx.src;
    lx.pos = this.tok.start;
    const parts: PathPart[] = [];
    while (s[lx.pos] === '/') {
      lx.pos++;
      if (s[lx.pos] === '$' && s[lx.pos + 1] === '(') {
        lx.pos += 2;
        this.tok = lx.next();
        parts.push({ expr: this.parseExpr() });
        if (!this.isP(')')) this.unexpected(this.tok, "')'");
        lx.pos = this.tok.end;
        continue;
      }
      let p = lx.pos;
      if (s[p] === '(') {
        const close = s.indexOf(')', p);
        if (close < 0 || !/^\([A-Za-z0-9_\-.~%@+]*\)$/.test(s.slice(p, close + 1)))
          lx.fail(p, 'Invalid path segment.');
        p = close + 1;
      }
      while (p < s.length && PATH_CHAR.test(s[p] as string)) p++;
      if (p === lx.pos) lx.fail(p, 'Empty path segment.');
      parts.push({ text: s.slice(lx.pos, p) });
      lx.pos = p;
    }
    this.tok = lx.next();
    return { k: 'path', parts, ...at };
  }
}

const RESERVED = new Set(['if', 'in', 'is', 'let', 'return', 'function', 'match', 'allow', 'service']);

export function parseRules(src: string): RulesFile {
  return new Parser(src).parseFile();
}
