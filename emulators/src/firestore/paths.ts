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
  if (Buffer.byteLength(s, 'utf8') > 1500) throw invalid(`Invalid ${what}: segment longer than 1500 bytes.`);
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
export function parseDocumentName(name: unknown): ResourcePath {
  const p = parseResource(name);
  if (p.segments.length === 0 || p.segments.length % 2 !== 0) {
    throw invalid(`Document name "${String(name)}" has odd number of segments or is empty.`);
  }
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

/** Parses a field path such as `a.b` or `` a.`b.c`.d `` into segments. */
export function parseFieldPath(path: unknown): string[] {
  if (typeof path !== 'string' || path === '') throw invalid('Field path must be a non-empty string.');
  const out: string[] = [];
  let cur = '';
  let i = 0;
  let quoted = false;
  let segmentStarted = false;
  while (i < path.length) {
    const c = path[i]!;
    if (quoted) {
      if (c === '\\' && i + 1 < path.length) {
        cur += path[i + 1];
        i += 2;
        continue;
      }
      if (c === '`') {
        quoted = false;
        i++;
        continue;
      }
      cur += c;
      i++;
      continue;
    }
    if (c === '`' && !segmentStarted) {
      quoted = true;
      segmentStarted = true;
      i++;
      continue;
    }
    if (c === '.') {
      if (cur === '') throw invalid(`Invalid field path: "${path}".`);
      out.push(cur);
      cur = '';
      segmentStarted = false;
      i++;
      continue;
    }
    cur += c;
    segmentStarted = true;
    i++;
  }
  if (quoted || cur === '') throw invalid(`Invalid field path: "${path}".`);
  out.push(cur);
  return out;
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
