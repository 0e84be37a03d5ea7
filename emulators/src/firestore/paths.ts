/**
 * Resource names and field paths. Naming constraints follow
 * https://firebase.google.com/docs/firestore/quotas#collections_documents_and_fields
 */
import { invalid } from './errors.js';

export interface DatabaseId {
  project: string;
  database: string;
}

/** A parsed document or collection-parent path below `…/documents`. */
export interface ResourcePath {
  db: DatabaseId;
  /** Path segments below `documents` (may be empty for the root). */
  segments: string[];
}

const PREFIX = /^projects\/([^/]+)\/databases\/([^/]+)(?:\/documents(?:\/(.*))?)?$/;

export function dbRoot(db: DatabaseId): string {
  return `projects/${db.project}/databases/${db.database}`;
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/**
 * Ids matching `__.+__` are reserved, except that a document id may be a numeric id `__id<n>__`
 * with n a non-zero 64-bit integer written without leading zeros. Messages as Google's emulator
 * words them (it accepts `____` and `___`, rejects `_____`, `__id0__`, `__id007__`).
 */
function validateReserved(s: string, isCollection: boolean): void {
  if (s.length <= 4 || !s.startsWith('__') || !s.endsWith('__')) return;
  const kind = isCollection ? 'Collection id' : 'Resource id';
  const m = isCollection ? null : /^__id(-?[1-9]\d*)__$/.exec(s);
  if (!m) throw invalid(`${kind} "${s}" is invalid because it is reserved.`);
  const n = BigInt(m[1]!);
  if (n < INT64_MIN || n > INT64_MAX)
    throw invalid(`${kind} "${s}" is invalid because it is not a 64 bit integer.`);
}

/** Validates one path segment: a collection id (`isCollection`) or a document id. */
export function validateSegment(s: string, what: string, isCollection = false): void {
  if (s === '') throw invalid(`Invalid ${what}: empty path segment.`);
  if (s === '.' || s === '..') throw invalid(`Invalid ${what}: "${s}" is not allowed.`);
  validateReserved(s, isCollection);
  if (Buffer.byteLength(s, 'utf8') > 1500)
    throw invalid('The key path element name is longer than 1500 bytes.');
}

/** Parses `projects/p/databases/d/documents[/a/b…]`; `requireDocuments` rejects a bare database name. */
export function parseResource(name: unknown, requireDocuments = true): ResourcePath {
  if (typeof name !== 'string') throw invalid('Resource name must be a string.');
  if (Buffer.byteLength(name, 'utf8') > 6144) throw invalid('Resource name is too long.');
  const m = PREFIX.exec(name);
  if (!m) throw invalid(`Invalid resource name: "${name.slice(0, 200)}".`);
  if (requireDocuments && !name.includes('/documents')) throw invalid(`Invalid resource name: "${name}".`);
  const rest = m[3];
  const segments = rest === undefined || rest === '' ? [] : rest.split('/');
  for (let i = 0; i < segments.length; i++) validateSegment(segments[i]!, 'resource name', i % 2 === 0);
  if (segments.length > 100) throw invalid('Resource path has too many segments.');
  return { db: { project: m[1]!, database: m[2]! }, segments };
}

/** Parses a document name; throws unless it names a document (even number of segments). */
export function parseDocumentName(name: unknown, kind = 'Document name'): ResourcePath {
  // Google's emulator's messages for a name not under projects/, a trailing "/", an empty id and a
  // collection name.
  if (typeof name === 'string' && !name.startsWith('projects/'))
    throw invalid(`${kind} "${name.slice(0, 200)}" lacks "projects" at index 0.`);
  const m = typeof name === 'string' ? PREFIX.exec(name) : null;
  if (m?.[3] !== undefined) {
    const text = name as string;
    if (text.endsWith('/')) throw invalid(`${kind} "${text}" has invalid trailing "/".`);
    const start = text.length - m[3].length;
    let at = start;
    for (const seg of m[3].split('/')) {
      if (seg === '') throw invalid(`${kind} "${text}" lacks a resource id at index ${at}.`);
      at += seg.length + 1;
    }
  }
  const p = parseResource(name);
  if (p.segments.length % 2 !== 0) {
    throw invalid(`Document name "${String(name)}" lacks "/" at index ${String(name).length}.`);
  }
  if (p.segments.length === 0) throw invalid(`Document name "${String(name)}" has no document path.`);
  return p;
}

/** Parses a query parent: the database root or a document. */
export function parseParent(name: unknown): ResourcePath {
  const p = parseResource(name);
  if (p.segments.length % 2 !== 0) throw invalid(`Parent "${String(name)}" must be a document or the root.`);
  return p;
}

export function documentName(db: DatabaseId, segments: readonly string[]): string {
  return `${dbRoot(db)}/documents/${segments.join('/')}`;
}

const SIMPLE_SEGMENT = /^[a-zA-Z_][a-zA-Z_0-9]*$/;

/**
 * Parses a field path such as `a.b` or `` a.`b.c`.d `` into segments. Unquoted segments must be
 * simple names and quoted ones non-empty (the API's rule; SDKs quote every other name), with
 * Google's emulator's messages.
 */
export function parseFieldPath(path: unknown): string[] {
  // An absent path is the proto default "" (Google's emulator's words).
  if (path === '' || path === undefined || path === null)
    throw invalid('Invalid empty property path string.');
  if (typeof path !== 'string') throw invalid('Field path must be a non-empty string.');
  const bad = () =>
    invalid(
      `Invalid property path "${path}". Unquoted property paths must match regex ([a-zA-Z_][a-zA-Z_0-9]*), and quoted property paths must match regex (\`(?:[^\`\\\\]|(?:\\\\.))+\`)`,
    );
  const out: string[] = [];
  let i = 0;
  for (;;) {
    let seg = '';
    if (path[i] === '`') {
      i++;
      while (i < path.length && path[i] !== '`') {
        if (path[i] === '\\' && i + 1 < path.length) i++;
        seg += path[i];
        i++;
      }
      if (i >= path.length || seg === '') throw bad();
      i++;
    } else {
      const dot = path.indexOf('.', i);
      seg = path.slice(i, dot < 0 ? path.length : dot);
      if (!SIMPLE_SEGMENT.test(seg)) throw bad();
      i += seg.length;
    }
    // Field names matching __.*__ are reserved (Firestore docs, Usage and limits: constraints on
    // field names), at any depth; Google's emulator's words. It lets `__name__` through.
    if (seg.length > 4 && seg.startsWith('__') && seg.endsWith('__') && seg !== '__name__')
      throw invalid(`Invalid reserved name in field path ${seg}`);
    out.push(seg);
    if (i >= path.length) return out;
    if (path[i] !== '.' || i + 1 >= path.length) throw bad();
    i++;
  }
}

const SIMPLE = /^[_a-zA-Z][_a-zA-Z0-9]*$/;

export function formatFieldPath(segments: readonly string[]): string {
  return segments
    .map((s) => (SIMPLE.test(s) ? s : '`' + s.replace(/\\/g, '\\\\').replace(/`/g, '\\`') + '`'))
    .join('.');
}

export function isPrefixPath(prefix: readonly string[], path: readonly string[]): boolean {
  if (prefix.length > path.length) return false;
  for (let i = 0; i < prefix.length; i++) if (prefix[i] !== path[i]) return false;
  return true;
}
