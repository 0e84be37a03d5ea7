/**
 * The RPCs of google.firestore.v1.Firestore (google/firestore/v1/firestore.proto) on the
 * protocol-neutral core. Requests and responses are JSON-like objects in the REST shape; the
 * transports only encode and decode leaves (see codec.ts).
 */
import { type Aggregation, parseAggregations } from './aggregate.js';
import type { Caller } from './auth.js';
import { type Codec, isRecord } from './codec.js';
import { type BatchGetItem, type Database, type DocJson, parentPath, type TxnSelector } from './database.js';
import type { FirestoreEmulatorCore } from './emulator.js';
import { Code, FirestoreError, invalid, toFirestoreError } from './errors.js';
import { jsonCodec } from './json-codec.js';
import {
  type DatabaseId,
  documentName,
  formatFieldPath,
  parseDocumentName,
  parseFieldPath,
  parseResource,
} from './paths.js';
import { type FieldRef, parseQuery } from './query.js';
import type { Fields, Value } from './values.js';
import { parseWrite, type WriteOp } from './writes.js';

export function databaseOf(core: FirestoreEmulatorCore, name: unknown): Database {
  const r = parseResource(name, false);
  return core.db(r.db);
}

function sameDb(a: DatabaseId, b: DatabaseId): boolean {
  return a.project === b.project && a.database === b.database;
}

/**
 * A document of another database than the request's: production's words, as users quote them
 * (apache/beam#29174, googleapis/nodejs-firestore#1901).
 */
function otherDatabase(request: DatabaseId, other: DatabaseId) {
  const name = (d: DatabaseId) => `projects/${d.project}/databases/${d.database}`;
  return invalid(
    `The request was for database '${name(request)}' but was attempting to access database '${name(other)}'`,
  );
}

/**
 * A `read_time` of a request or of TransactionOptions.ReadOnly, with Google's emulator's messages
 * for times it refuses before looking at the data (at or before the epoch, below microseconds).
 */
export function parseReadTime(raw: unknown, codec: Codec): string | undefined {
  if (raw === undefined || raw === null) return undefined;
  const t = codec.timestamp(raw);
  if (t <= '1970-01-01T00:00:00.000000000Z') throw invalid('Only timestamps past epoch are supported.');
  if (!t.endsWith('000Z')) throw invalid('timestamp cannot have more than microseconds precision');
  return t;
}

function readOnlyTime(options: unknown, codec: Codec): string | undefined {
  const ro = isRecord(options) ? options['readOnly'] : undefined;
  return isRecord(ro) ? parseReadTime(ro['readTime'], codec) : undefined;
}

/**
 * TransactionOptions: `mode` is a oneof (readOnly or readWrite) and a retry id is bytes; two modes or
 * an id that is not base64 is not a valid payload (Google's emulator's words).
 */
function checkOptions(o: Record<string, unknown>): void {
  if (isRecord(o['readOnly']) && isRecord(o['readWrite'])) throw invalid("Payload isn't valid for request.");
  const rw = o['readWrite'];
  const retry = isRecord(rw) ? rw['retryTransaction'] : undefined;
  if (
    typeof retry === 'string' &&
    (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(retry) || retry.replace(/=+$/, '').length % 4 === 1)
  )
    throw invalid("Payload isn't valid for request.");
}

function txnSelector(req: Record<string, unknown>, codec: Codec): TxnSelector {
  const t = req['transaction'];
  const n = req['newTransaction'];
  const readTime = parseReadTime(req['readTime'], codec);
  const given = [typeof t === 'string' && t !== '', isRecord(n), readTime !== undefined];
  // consistency_selector is a oneof: Google's emulator refuses a REST body that sets two of them.
  if (given.filter(Boolean).length > 1) throw invalid("Payload isn't valid for request.");
  // A transaction id is bytes: one that is not base64 fails to decode, in Google's emulator's words.
  if (typeof t === 'string' && !/^[A-Za-z0-9+/_-]*={0,2}$/.test(t))
    throw invalid("Payload isn't valid for request.");
  if (typeof t === 'string' && t !== '') return { transaction: t };
  if (isRecord(n)) {
    checkOptions(n);
    const rw = n['readWrite'];
    const retry =
      isRecord(rw) && typeof rw['retryTransaction'] === 'string' ? rw['retryTransaction'] : undefined;
    return {
      newTransaction: {
        readOnly: isRecord(n['readOnly']),
        retryTransaction: retry || undefined,
        readTime: readOnlyTime(n, codec),
      },
    };
  }
  if (readTime !== undefined) return { readTime };
  return undefined;
}

function maskOf(raw: unknown): FieldRef[] | undefined {
  if (!isRecord(raw)) return undefined;
  const paths = raw['fieldPaths'] ?? [];
  if (!Array.isArray(paths)) throw invalid('mask.fieldPaths must be an array.');
  return paths.map((p) => ({ path: parseFieldPath(p), text: String(p), isName: false }));
}

function body(req: unknown): Record<string, unknown> {
  if (!isRecord(req)) throw invalid('Request body must be a JSON object.');
  return req;
}

export type BatchGetResponse = ({ found: DocJson } | { missing: string }) & {
  readTime: string;
  transaction?: string;
};

export async function batchGet(
  core: FirestoreEmulatorCore,
  caller: Caller,
  database: string,
  raw: unknown,
  codec: Codec = jsonCodec,
): Promise<BatchGetResponse[]> {
  const req = body(raw);
  const db = databaseOf(core, database);
  const docs = req['documents'] ?? [];
  if (!Array.isArray(docs)) throw invalid('documents must be an array.');
  const parsed = docs.map((n) => {
    const r = parseDocumentName(n);
    if (!sameDb(r.db, db.id)) throw otherDatabase(db.id, r.db);
    return { name: documentName(r.db, r.segments), path: r.segments.join('/') };
  });
  // A document named twice is answered once (Google's emulator).
  const seen = new Set<string>();
  const names = parsed.filter((n) => !seen.has(n.path) && seen.add(n.path));
  const res = await db.batchGet(caller, names, txnSelector(req, codec), maskOf(req['mask']));
  return res.items.map((item: BatchGetItem, i) => ({
    ...item,
    readTime: res.readTime,
    ...(i === 0 && res.transaction ? { transaction: res.transaction } : {}),
  }));
}

export interface RunQueryResponse {
  document?: DocJson;
  readTime: string;
  transaction?: string;
  skippedResults?: number;
}

export async function runQuery(
  core: FirestoreEmulatorCore,
  caller: Caller,
  codec: Codec,
  parent: string,
  raw: unknown,
): Promise<RunQueryResponse[]> {
  const req = body(raw);
  const p = parentPath(parent);
  const db = core.db(p.db);
  const q = parseQuery(p.path, req['structuredQuery'], codec);
  const res = await db.runQuery(caller, q, txnSelector(req, codec));
  const out: RunQueryResponse[] = res.items.map((d) => ({
    document: db.toJson(d, q.select),
    readTime: res.readTime,
  }));
  if (out.length === 0) out.push({ readTime: res.readTime });
  if (res.transaction) out[0]!.transaction = res.transaction;
  return out;
}

export interface AggregationResponse {
  result: { aggregateFields: Fields };
  readTime: string;
  transaction?: string;
}

export async function runAggregationQuery(
  core: FirestoreEmulatorCore,
  caller: Caller,
  codec: Codec,
  parent: string,
  raw: unknown,
): Promise<AggregationResponse[]> {
  const req = body(raw);
  const p = parentPath(parent);
  const db = core.db(p.db);
  const saq = req['structuredAggregationQuery'];
  if (!isRecord(saq)) throw invalid('structuredAggregationQuery is required.');
  const aggs: Aggregation[] = parseAggregations(saq['aggregations'], codec);
  const fields = aggs.flatMap((a) =>
    a.kind === 'count' ? [] : [{ path: a.path, text: formatFieldPath(a.path), isName: false }],
  );
  const q = parseQuery(p.path, saq['structuredQuery'], codec, fields);
  const res = await db.runAggregation(caller, q, aggs, txnSelector(req, codec));
  const r: AggregationResponse = { result: { aggregateFields: res.items }, readTime: res.readTime };
  if (res.transaction) r.transaction = res.transaction;
  return [r];
}

function parseWrites(raw: unknown, codec: Codec, db: Database): WriteOp[] {
  const writes = raw ?? [];
  if (!Array.isArray(writes)) throw invalid('writes must be an array.');
  return writes.map((w) => {
    const op = parseWrite(w, codec);
    if (!sameDb(op.resource.db, db.id)) throw otherDatabase(db.id, op.resource.db);
    return op;
  });
}

export interface CommitResponse {
  commitTime: string;
  writeResults: { updateTime?: string; transformResults: Value[] }[];
}

export function commit(
  core: FirestoreEmulatorCore,
  caller: Caller,
  codec: Codec,
  database: string,
  raw: unknown,
): CommitResponse {
  const req = body(raw);
  const db = databaseOf(core, database);
  const writes = parseWrites(req['writes'], codec, db);
  const t = req['transaction'];
  return db.commit(caller, writes, typeof t === 'string' && t !== '' ? t : undefined);
}

export interface BatchWriteResponse {
  writeResults: ({ updateTime?: string; transformResults: Value[] } | Record<string, never>)[];
  status: { code: number; message: string }[];
}

/** Non-atomic: each write succeeds or fails on its own (firestore.proto BatchWrite). */
export function batchWrite(
  core: FirestoreEmulatorCore,
  caller: Caller,
  codec: Codec,
  database: string,
  raw: unknown,
): BatchWriteResponse {
  const req = body(raw);
  const db = databaseOf(core, database);
  const writes = parseWrites(req['writes'], codec, db);
  const seen = new Set<string>();
  for (const w of writes) {
    if (seen.has(w.path)) throw invalid(`BatchWrite contains more than one write to ${w.name}.`);
    seen.add(w.path);
  }
  const out: BatchWriteResponse = { writeResults: [], status: [] };
  for (const w of writes) {
    try {
      const r = db.applyBatch(caller, [w]);
      out.writeResults.push(r.writeResults[0]!);
      out.status.push({ code: 0, message: '' });
    } catch (e) {
      const err = toFirestoreError(e);
      out.writeResults.push({});
      out.status.push({ code: err.code, message: err.message });
    }
  }
  return out;
}

export function beginTransaction(
  core: FirestoreEmulatorCore,
  database: string,
  raw: unknown,
  codec: Codec = jsonCodec,
): { transaction: string } {
  const req = raw === undefined || raw === null ? {} : body(raw);
  const db = databaseOf(core, database);
  const o = req['options'];
  if (o !== undefined && o !== null && !isRecord(o)) throw invalid("Payload isn't valid for request.");
  if (isRecord(o)) checkOptions(o);
  const readOnly = isRecord(o) && isRecord(o['readOnly']);
  const rw = isRecord(o) ? o['readWrite'] : undefined;
  const retry =
    isRecord(rw) && typeof rw['retryTransaction'] === 'string' ? rw['retryTransaction'] : undefined;
  return { transaction: db.beginTransaction(readOnly, retry || undefined, readOnlyTime(o, codec)) };
}

export function rollback(core: FirestoreEmulatorCore, database: string, raw: unknown): Record<string, never> {
  const req = body(raw);
  const db = databaseOf(core, database);
  const t = req['transaction'];
  if (typeof t !== 'string' || t === '') throw invalid('transaction is required.');
  db.rollback(t);
  return {};
}

/** One page of `items` by the `pageSize` / `pageToken` fields of a List- or Partition- request. */
function page<T>(items: T[], req: Record<string, unknown>): { items: T[]; nextPageToken: string } {
  const size = Number(req['pageSize'] ?? 0);
  const start =
    typeof req['pageToken'] === 'string' && req['pageToken'] !== ''
      ? Number(Buffer.from(req['pageToken'], 'base64').toString()) || 0
      : 0;
  const end = size > 0 ? start + size : items.length;
  return {
    items: items.slice(start, end),
    nextPageToken: end < items.length ? Buffer.from(String(end)).toString('base64') : '',
  };
}

export function listCollectionIds(
  core: FirestoreEmulatorCore,
  caller: Caller,
  parent: string,
  raw: unknown,
): { collectionIds: string[]; nextPageToken: string } {
  const req = raw === undefined || raw === null ? {} : body(raw);
  const p = parentPath(parent);
  const r = page(core.db(p.db).listCollectionIds(caller, p.path), req);
  return { collectionIds: r.items, nextPageToken: r.nextPageToken };
}

export interface PartitionQueryResponse {
  partitions: { values: Value[] }[];
  nextPageToken: string;
}

/**
 * Split points for reading a collection group in parallel. The API reference
 * (projects.databases.documents/partitionQuery) allows only a collection group query from the
 * database root, ordered by `__name__` ascending if at all, and lets the service return fewer
 * points than asked. It does not say where they fall: ours cut the documents the caller may list
 * into equal runs, and never more points than there are documents to separate.
 */
export async function partitionQuery(
  core: FirestoreEmulatorCore,
  caller: Caller,
  codec: Codec,
  parent: string,
  raw: unknown,
): Promise<PartitionQueryResponse> {
  const req = body(raw);
  const p = parentPath(parent);
  if (p.path !== '') throw invalid('PartitionQuery takes the database root as its parent, not a document.');
  const count = Number(req['partitionCount'] ?? 0);
  if (!Number.isSafeInteger(count) || count <= 0) throw invalid('partitionCount must be a positive integer.');
  const shape = () =>
    invalid(
      'PartitionQuery needs a collection group query (allDescendants) ordered by __name__ ascending, with no filters, cursors, limit, offset or projection.',
    );
  let q;
  try {
    q = parseQuery(p.path, req['structuredQuery'], codec);
  } catch (e) {
    // A descending key scan (FAILED_PRECONDITION for queries) is a malformed partition request.
    if (e instanceof FirestoreError && e.code === Code.FAILED_PRECONDITION) throw shape();
    throw e;
  }
  const nameOnly = q.orderBy.length === 1 && q.orderBy[0]!.field.isName && !q.orderBy[0]!.desc;
  if (
    !q.allDescendants ||
    q.filter ||
    q.startAt ||
    q.endAt ||
    q.offset !== 0 ||
    q.limit !== undefined ||
    q.select ||
    !nameOnly
  ) {
    throw shape();
  }
  const db = core.db(p.db);
  // PartitionQueryRequest has no transaction fields, only read_time.
  const readTime = parseReadTime(req['readTime'], codec);
  const res = await db.runQuery(caller, q, readTime === undefined ? undefined : { readTime });
  const names = res.items.map((d) => `${db.docsRoot}/${d.path}`);
  const points = Math.min(count, Math.max(0, names.length - 1));
  const cursors = Array.from({ length: points }, (_, i) => ({
    values: [{ referenceValue: names[Math.floor(((i + 1) * names.length) / (points + 1))]! }],
  }));
  const r = page(cursors, req);
  return { partitions: r.items, nextPageToken: r.nextPageToken };
}

/**
 * ListDocumentsRequest.order_by: 'The optional ordering of the documents to return. For example:
 * priority desc, __name__ desc. This mirrors the StructuredQuery.order_by used in Firestore queries
 * but in a string representation.' (REST/RPC reference). A clause that is not a field path with an
 * optional asc/desc is refused in Google's emulator's words.
 */
function listOrder(raw: unknown): { field: { fieldPath: string }; direction: string }[] {
  if (typeof raw !== 'string' || raw.trim() === '') return [];
  return raw.split(',').map((clause) => {
    const m = /^\s*(`(?:[^`\\]|\\.)+`|[^\s`]+)(?:\s+(asc|desc))?\s*$/i.exec(clause);
    if (!m) throw invalid(`Invalid order by clause "${raw.slice(0, 200)}".`);
    return {
      field: { fieldPath: m[1]! },
      direction: m[2]?.toLowerCase() === 'desc' ? 'DESCENDING' : 'ASCENDING',
    };
  });
}

export function listDocuments(
  core: FirestoreEmulatorCore,
  caller: Caller,
  codec: Codec,
  parent: string,
  collectionId: string,
  req: Record<string, unknown>,
): { documents: DocJson[]; nextPageToken: string } {
  const p = parentPath(parent);
  const db = core.db(p.db);
  const mask = maskOf(req['mask']);
  const orderBy = listOrder(req['orderBy']);
  const showMissing = req['showMissing'] === true || req['showMissing'] === 'true';
  if (orderBy.length > 0 && showMissing) throw invalid('cannot specify an order when show_missing is true');
  const structured: Record<string, unknown> = { from: [{ collectionId }], orderBy };
  const q = parseQuery(p.path, structured, codec);
  q.select = mask;
  // Google's emulator's check and words (issue 18 harness, bad requests).
  if (Number(req['pageSize'] ?? 0) < 0) throw invalid('Page size must be nonnegative.');
  const r = db.listDocuments(caller, q, {
    readTime: parseReadTime(req['readTime'], codec),
    showMissing,
    pageSize: Number(req['pageSize'] ?? 0) || undefined,
    pageToken: typeof req['pageToken'] === 'string' ? req['pageToken'] : undefined,
  });
  return { documents: r.docs, nextPageToken: r.nextPageToken ?? '' };
}
