/** Syntax tree of a rules file. The checker annotates identifiers and calls in place. */
import type { RVal } from './values.js';

export interface Pos {
  line: number;
  column: number;
}

/** What an identifier resolved to (set by the checker). */
export type Ref =
  | { kind: 'local'; index: number }
  | { kind: 'capture'; index: number }
  | { kind: 'global'; name: 'request' | 'resource' }
  | { kind: 'placeholder' };

export type PathPart = { text: string } | { expr: Expr };

export type Expr = (
  | { k: 'lit'; v: RVal }
  | { k: 'ident'; name: string; ref?: Ref }
  | { k: 'member'; obj: Expr; name: string }
  | { k: 'index'; obj: Expr; index: Expr }
  | { k: 'slice'; obj: Expr; lo?: Expr; hi?: Expr }
  | { k: 'call'; name: string; args: Expr[]; fn?: FunctionDecl }
  | { k: 'mcall'; obj: Expr; name: string; args: Expr[]; ns?: string }
  | { k: 'unary'; op: '!' | '-'; e: Expr }
  | { k: 'binary'; op: BinaryOp; l: Expr; r: Expr }
  | { k: 'cond'; c: Expr; t: Expr; f: Expr }
  | { k: 'is'; e: Expr; type: string }
  | { k: 'list'; items: Expr[] }
  | { k: 'map'; entries: [Expr, Expr][] }
  | { k: 'path'; parts: PathPart[] }
) &
  Pos;

export type BinaryOp =
  '&&' | '||' | '==' | '!=' | '<' | '<=' | '>' | '>=' | 'in' | '+' | '-' | '*' | '/' | '%';

export interface LetDecl extends Pos {
  name: string;
  expr: Expr;
}

export interface FunctionDecl extends Pos {
  name: string;
  params: string[];
  lets: LetDecl[];
  ret: Expr;
  /** Set by the checker: captures visible to the body (a prefix of the capture frame). */
  id: number;
}

export interface AllowStmt extends Pos {
  methods: (Pos & { name: string })[];
  cond?: Expr;
}

export type PatternSeg =
  { kind: 'lit'; text: string } | { kind: 'cap'; name: string } | { kind: 'glob'; name: string };

export interface MatchBlock extends Pos {
  pattern: (PatternSeg & Pos)[];
  matches: MatchBlock[];
  allows: AllowStmt[];
  functions: FunctionDecl[];
}

export interface RulesFile {
  version: '1' | '2';
  service: 'cloud.firestore' | 'firebase.storage';
  functions: FunctionDecl[];
  matches: MatchBlock[];
}
