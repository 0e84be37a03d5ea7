/**
 * One Firestore database (project + database id): the protocol-neutral operations behind both
 * REST and gRPC. Everything a request needs is computed synchronously after its locks are held,
 * so a commit is atomic with respect to every other request on the single JS thread.
 */
import type { DocumentAccess, FirestoreDocument } from '../rules/api.js';
import { aggregate, type Aggregation } from './aggregate.js';
import type { Caller } from './auth.js';
import { Code, FirestoreError, invalid } from './errors.js';
import type { ListenHub } from './listen.js';
import { type DatabaseId, dbRoot, parseResource } from './paths.js';
import { type FieldRef, project, type Query, runQuery } from './query.js';
import { History } from './history.js';
import { checkDocument, checkList, type RulesContext } from './rules-gate.js';
import { Store, type StoredDoc } from './store.js';
import { Clock, timestampToDate } from './timestamps.js';
import { TransactionManager, type Txn } from './transactions.js';
import { compareNames, type Fields, identicalFields, type Value } from './values.js';
import { applyWrite, checkPrecondition, describeMask, type WriteOp } from './writes.js';

export interface DocJson {
  name: string;
  fields: Fields;
  createTime: string;
  updateTime: string;
}

export interface WriteResultJson {
  /** Absent after a delete (write.proto WriteResult.update_time: "Not set after a delete."). */
  updateTime?: string;
  transformResults: Value[];
}

export interface CommitResult {
  commitTime: string;
  writeResults: WriteResultJson[];
}

export interface Change {
  path: string;
  doc: StoredDoc | undefined;
}

/** How a read chooses its data (firestore.proto `consistency_selector`). */
export type TxnSelector =
  | { transaction: string }
  | { newTransaction: { readOnly: boolean; retryTransaction?: string; readTime?: string } }
  | { readTime: string }
  | undefined;

export interface ReadResult<T> {
  items: T;
  readTime: string;
  /** Set when the request began a transaction. */
  transaction?: string;
}

export type BatchGetItem = { found: DocJson } | { missing: string };

export class Database {
  readonly store = new Store();
  readonly txns = new TransactionManager();
  readonly clock = new Clock();
  readonly history = new History();
  readonly root: string;
  readonly docsRoot: string;
  listeners?: ListenHub;

  constructor(
    readonly id: DatabaseId,
    private readonly rules: () => RulesContext,
  ) {
    this.root = dbRoot(id);
    this.docsRoot = `${this.root}/documents`;
  }

  toJson(doc: StoredDoc, select?: FieldRef[]): DocJson {
    return {
      name: `${this.docsRoot}/${doc.path}`,
      fields: project(doc.fields, select),
      createTime: doc.createTime,
      updateTime: doc.updateTime,
    };
  }

  private rulesDoc(path: string, doc: StoredDoc | Fields | undefined | null): FirestoreDocument | null {
    if (!doc) return null;
    const fields = 'path' in doc && 'updateTime' in doc ? (doc as StoredDoc).fields : (doc as Fields);
    return { name: `${this.docsRoot}/${path}`, fields };
  }

  /** Resolves an absolute rules path (`/databases/d/documents/a/b`) against this database. */
  private relFromRulesPath(p: string): string | undefined {
    const m = /^\/databases\/[^/]+\/documents\/(.+)$/.exec(p);
    const rel = m?.[1];
    if (!rel || rel.split('/').length % 2 !== 0) return undefined;
    return rel;
  }

  documentAccess(overlay?: Map<string, Fields | null>): DocumentAccess {
    return {
      get: (p) => {
        const rel = this.relFromRulesPath(p);
        return rel === undefined ? null : this.rulesDoc(rel, this.store.get(rel));
      },
      getAfter: (p) => {
        const rel = this.relFromRulesPath(p);
        if (rel === undefined) return null;
        if (overlay?.has(rel)) return this.rulesDoc(rel, overlay.get(rel));
        return this.rulesDoc(rel, this.store.get(rel));
      },
    };
  }

  /** The transaction a read runs in (begun here if asked) and the time it reads at, if not now. */
  private resolveTxn(sel: TxnSelector): { txn?: Txn; began: boolean; readTime?: string } {
    if (!sel) return { began: false };
    if ('readTime' in sel) {
      this.checkReadTime(sel.readTime);
      return { began: false, readTime: sel.readTime };
    }
    if ('transaction' in sel) {
      const txn = this.txns.get(sel.transaction);
      return { txn, began: false, readTime: txn.readTime };
    }
    const n = sel.newTransaction;
    if (n.readTime !== undefined) this.checkReadTime(n.readTime);
    const txn = this.txns.begin(n.readOnly, n.retryTransaction, this.snapshotTime(n.readOnly, n.readTime));
    return { txn, began: true, readTime: txn.readTime };
  }

  /**
   * A read-only transaction reads one consistent snapshot: at its readTime, or else as of its
   * begin (Google's emulator: reads after a later commit still answer the older version, with the
   * begin time as readTime).
   */
  private snapshotTime(readOnly: boolean, readTime: string | undefined): string | undefined {
    return readTime ?? (readOnly ? this.clock.now() : undefined);
  }

  checkReadTime(readTime: string): void {
    this.history.check(readTime, this.clock.now());
  }

  beginTransaction(readOnly: boolean, retryOf?: string, readTime?: string): string {
    if (readTime !== undefined) this.checkReadTime(readTime);
    return this.txns.begin(readOnly, retryOf, this.snapshotTime(readOnly, readTime)).id;
  }

  /** The document at `path` now, or as of `readTime`. */
  private docAt(path: string, readTime: string | undefined): StoredDoc | undefined {
    const current = this.store.get(path);
    return readTime === undefined ? current : this.history.docAt(path, current, readTime);
  }

  /** Runs a query on the current store, or on the documents as of `readTime`. */
  private queryAt(q: Query, readTime: string | undefined, withSubcollections = false): StoredDoc[] {
    if (readTime === undefined) return runQuery(q, this.store, this.docsRoot);
    return runQuery(q, this.snapshotFor(q, readTime, withSubcollections), this.docsRoot);
  }

  private snapshotFor(q: Query, readTime: string, withSubcollections: boolean): Store {
    const own = q.parent === '' ? q.collectionId : `${q.parent}/${q.collectionId}`;
    const prefix = q.parent === '' ? '' : `${q.parent}/`;
    const wanted = q.allDescendants
      ? (path: string) => path.startsWith(prefix) && path.slice(path.lastIndexOf('/') + 1) === q.collectionId
      : withSubcollections
        ? (path: string) => path === own || path.startsWith(`${own}/`)
        : (path: string) => path === own;
    return this.history.snapshot(this.store, readTime, wanted);
  }

  /** Ends a transaction; one already ended (or never begun) is fine, as Google's emulator answers. */
  rollback(id: string): void {
    const txn = this.txns.peek(id);
    if (txn) this.txns.finish(txn);
  }

  async batchGet(
    caller: Caller,
    names: { name: string; path: string }[],
    sel: TxnSelector,
    select?: FieldRef[],
  ): Promise<ReadResult<BatchGetItem[]>> {
    if (names.length > 1000) throw invalid('batchGet supports at most 1000 documents.');
    const { txn, began, readTime } = this.resolveTxn(sel);
    try {
      if (txn) for (const n of names) await this.txns.lock(txn, n.path);
      const time = new Date();
      const access = this.documentAccess();
      const items: BatchGetItem[] = [];
      for (const n of names) {
        const doc = this.docAt(n.path, readTime);
        checkDocument(this.rules(), caller, {
          method: 'get',
          docPath: n.path,
          resource: this.rulesDoc(n.path, doc),
          documents: access,
          accessLimit: 10,
          time,
        });
        if (txn && !txn.reads.has(n.path)) txn.reads.set(n.path, doc?.updateTime ?? '');
        items.push(doc ? { found: this.toJson(doc, select) } : { missing: n.name });
      }
      return { items, readTime: readTime ?? this.clock.now(), transaction: began ? txn?.id : undefined };
    } catch (e) {
      if (txn && began) this.txns.finish(txn);
      throw e;
    }
  }

  async runQuery(caller: Caller, q: Query, sel: TxnSelector): Promise<ReadResult<StoredDoc[]>> {
    const { txn, began, readTime } = this.resolveTxn(sel);
    try {
      checkList(this.rules(), caller, q, this.documentAccess(), new Date());
      let docs = this.queryAt(q, readTime);
      if (txn && !txn.readOnly) {
        for (const d of docs) await this.txns.lock(txn, d.path);
        // Locks may have waited; re-run so the result reflects the locked versions.
        docs = runQuery(q, this.store, this.docsRoot);
      }
      if (txn) for (const d of docs) if (!txn.reads.has(d.path)) txn.reads.set(d.path, d.updateTime);
      return {
        items: docs,
        readTime: readTime ?? this.clock.now(),
        transaction: began ? txn?.id : undefined,
      };
    } catch (e) {
      if (txn && began) this.txns.finish(txn);
      throw e;
    }
  }

  async runAggregation(
    caller: Caller,
    q: Query,
    aggregations: Aggregation[],
    sel: TxnSelector,
  ): Promise<ReadResult<Fields>> {
    const r = await this.runQuery(caller, q, sel);
    return { ...r, items: aggregate(r.items, aggregations) };
  }

  /** Applies writes atomically; with a transaction, validates its reads first. */
  commit(caller: Caller, writes: WriteOp[], transaction?: string): CommitResult {
    const txn = transaction ? this.txns.get(transaction) : undefined;
    try {
      if (txn?.readOnly && writes.length > 0)
        throw invalid('Cannot modify entities in a read-only transaction.');
      // A read-only transaction read one snapshot: nothing it read can have gone stale.
      if (txn && !txn.readOnly) {
        for (const [path, version] of txn.reads) {
          if ((this.store.get(path)?.updateTime ?? '') !== version) {
            throw new FirestoreError(
              Code.ABORTED,
              `Transaction aborted: ${this.docsRoot}/${path} changed after the transaction read it.`,
            );
          }
        }
      }
      const result = this.applyBatch(caller, writes);
      return result;
    } finally {
      if (txn) this.txns.finish(txn);
    }
  }

  /** Validates and applies one atomic batch of writes. */
  applyBatch(caller: Caller, writes: WriteOp[]): CommitResult {
    if (writes.length > 500) throw invalid('A commit may contain at most 500 writes.');
    const commitTime = this.clock.next();
    const overlay = new Map<string, Fields | null>();
    const before = new Map<string, StoredDoc | undefined>();
    const results: WriteResultJson[] = [];
    const stateOf = (path: string): StoredDoc | undefined => {
      if (overlay.has(path)) {
        const f = overlay.get(path);
        if (!f) return undefined;
        const prev = before.get(path);
        return { path, fields: f, createTime: prev?.createTime ?? commitTime, updateTime: commitTime };
      }
      return this.store.get(path);
    };
    // For a caller under rules, a failed precondition is reported only after the rules allowed the
    // write: otherwise NOT_FOUND / ALREADY_EXISTS would tell a caller the rules deny whether a
    // document exists. The documentation is silent on the order; this is the safe reading.
    let failedPrecondition: unknown;
    // What earlier writes of this batch did to each document, for the checks below.
    // Checked for the whole batch before any precondition, as Google's emulator does.
    const lastWrite = new Map<string, WriteVerb>();
    for (const op of writes) {
      checkSequence(op, lastWrite.get(op.path));
      lastWrite.set(op.path, verbOf(op));
    }
    for (const op of writes) {
      if (op.resource.db.project !== this.id.project || op.resource.db.database !== this.id.database) {
        throw invalid(`Document ${op.name} is not in database ${this.root}.`);
      }
      let current = stateOf(op.path);
      try {
        checkPrecondition(op, current);
      } catch (e) {
        if (caller.owner || op.kind === 'verify') throw e;
        failedPrecondition ??= e;
        // Judge the write as the one it asked for: an update of a missing document, a create.
        if (op.precondition?.exists === false) current = undefined;
      }
      const applied = applyWrite(op, current?.fields, commitTime);
      if (!before.has(op.path)) before.set(op.path, this.store.get(op.path));
      if (applied.fields !== undefined) overlay.set(op.path, applied.fields);
      results.push(
        op.kind === 'delete'
          ? { transformResults: applied.transformResults }
          : { updateTime: commitTime, transformResults: applied.transformResults },
      );
    }
    // Owner (admin) requests bypass rules without building any rules context.
    if (!caller.owner) {
      const rules = this.rules();
      const access = this.documentAccess(overlay);
      const time = timestampToDate(commitTime);
      const accessLimit = writes.length > 1 ? 20 : 10;
      // A document written more than once in a commit is judged once, by what the commit does to
      // it: resource is the document before, request.resource after the last write (so delete then
      // create of an existing document is an update; the first write's precondition still says
      // which it asked for), as Google's emulator judges it.
      const writesTo = new Map<string, number>();
      for (const op of writes)
        if (op.kind !== 'verify') writesTo.set(op.path, (writesTo.get(op.path) ?? 0) + 1);
      const judged = new Set<string>();
      for (const op of writes) {
        if (op.kind === 'verify' || judged.has(op.path)) continue;
        judged.add(op.path);
        const prev = this.store.get(op.path);
        const after = overlay.get(op.path);
        const exists = op.precondition?.exists;
        const method =
          writesTo.get(op.path)! > 1
            ? !after
              ? 'delete'
              : exists === true || (exists !== false && prev)
                ? 'update'
                : 'create'
            : op.kind === 'delete'
              ? 'delete'
              : exists === true || (exists !== false && prev)
                ? 'update'
                : 'create';
        checkDocument(rules, caller, {
          method,
          docPath: op.path,
          // The stored document even for a create whose exists:false precondition will fail
          // (Google's emulator: rules see it, then the commit answers ALREADY_EXISTS).
          resource: this.rulesDoc(op.path, prev),
          requestResource: after ? this.rulesDoc(op.path, after) : null,
          documents: access,
          accessLimit,
          time,
          writeFields:
            op.kind === 'update' && method === 'update' && prev
              ? op.mask
                ? describeMask(op)
                : Object.keys(op.fields ?? {})
              : undefined,
        });
      }
    }
    if (failedPrecondition !== undefined) throw failedPrecondition;
    const changes: Change[] = [];
    let unchanged: Map<string, string> | undefined;
    for (const [path, fields] of overlay) {
      const prev = before.get(path);
      if (fields === null) {
        if (prev) this.history.replaced(prev, commitTime);
        if (this.store.delete(path)) changes.push({ path, doc: undefined });
        continue;
      }
      // A write that leaves the document as it was keeps its updateTime (the service's no-op
      // writes; the SDK's MutationResult: "No-op writes will not change the updateTime").
      if (prev && identicalFields(prev.fields, fields)) {
        (unchanged ??= new Map()).set(path, prev.updateTime);
        continue;
      }
      const doc: StoredDoc = {
        path,
        fields,
        createTime: prev?.createTime ?? commitTime,
        updateTime: commitTime,
      };
      if (prev) this.history.replaced(prev, commitTime);
      this.store.put(doc);
      changes.push({ path, doc });
    }
    if (changes.length) this.listeners?.onChanges(this, changes, commitTime);
    // Results speak of the document as the commit leaves it, also for its earlier writes: its kept
    // updateTime after a no-op, the commit time if it exists, none if deleted (Google's emulator).
    if (unchanged || lastWrite.size < writes.length) {
      for (let i = 0; i < writes.length; i++) {
        const op = writes[i]!;
        if (op.kind === 'verify') continue;
        const r = results[i]!;
        const kept = unchanged?.get(op.path);
        if (overlay.get(op.path) === null) delete r.updateTime;
        else r.updateTime = kept ?? commitTime;
      }
    }
    return { commitTime, writeResults: results };
  }

  rulesContext(): RulesContext {
    return this.rules();
  }

  /** Runs a query for a new listen target, enforcing list rules. */
  queryForListen(caller: Caller, q: Query): StoredDoc[] {
    checkList(this.rules(), caller, q, this.documentAccess(), new Date());
    return runQuery(q, this.store, this.docsRoot);
  }

  listCollectionIds(caller: Caller, parentPath: string): string[] {
    if (!caller.owner) {
      throw new FirestoreError(
        Code.PERMISSION_DENIED,
        'PERMISSION_DENIED: listCollectionIds requires admin access.',
      );
    }
    return this.store.collectionIds(parentPath);
  }

  listDocuments(
    caller: Caller,
    q: Query,
    opts: { showMissing: boolean; pageSize?: number; pageToken?: string; readTime?: string },
  ): { docs: DocJson[]; nextPageToken?: string } {
    checkList(this.rules(), caller, q, this.documentAccess(), new Date());
    const coll = q.parent === '' ? q.collectionId : `${q.parent}/${q.collectionId}`;
    const readTime = opts.readTime;
    if (readTime !== undefined) this.checkReadTime(readTime);
    const store = readTime === undefined ? this.store : this.snapshotFor(q, readTime, opts.showMissing);
    const all: DocJson[] = runQuery(q, store, this.docsRoot).map((d) => this.toJson(d, q.select));
    if (opts.showMissing) {
      for (const id of store.missingDocIds(coll)) {
        all.push({ name: `${this.docsRoot}/${coll}/${id}`, fields: {}, createTime: '', updateTime: '' });
      }
      // Names of one collection: in id order, numeric `__id<n>__` ids first (as queries order them).
      all.sort((a, b) => compareNames(a.name, b.name));
    }
    // Our page tokens are base64 offsets; any other token is refused, in the words Google's
    // emulator uses for one it cannot read (e.g. "abc").
    const offset = opts.pageToken ? Buffer.from(opts.pageToken, 'base64').toString() : '0';
    if (
      !/^\d{1,15}$/.test(offset) ||
      (opts.pageToken && Buffer.from(offset).toString('base64') !== opts.pageToken)
    )
      throw invalid('invalid page token');
    const start = Number(offset);
    const size = opts.pageSize && opts.pageSize > 0 ? opts.pageSize : all.length;
    const docs = all.slice(start, start + size);
    const next = start + size < all.length ? Buffer.from(String(start + size)).toString('base64') : undefined;
    return { docs, nextPageToken: next };
  }

  /** Removes every document (rules-unit-testing clearFirestore); listeners see the deletions. */
  clear(): void {
    const changes: Change[] = [];
    const time = this.clock.next();
    for (const d of this.store.allDocs()) {
      changes.push({ path: d.path, doc: undefined });
      this.history.replaced(d, time);
    }
    this.store.clear();
    if (changes.length) this.listeners?.onChanges(this, changes, time);
  }

  /** Loads a document as-is (import). Its earlier versions are unknown, so reads before now are refused. */
  load(doc: StoredDoc): void {
    this.store.put(doc);
    this.history.forgetBefore(this.clock.now());
  }

  dispose(): void {
    this.txns.dispose();
  }
}

type WriteVerb = 'verify' | 'delete' | 'update' | 'insert' | 'upsert';

function verbOf(op: WriteOp): WriteVerb {
  if (op.kind !== 'update') return op.kind;
  const p = op.precondition;
  if (p?.exists === false) return 'insert';
  return p?.exists === true || p?.updateTime !== undefined ? 'update' : 'upsert';
}

/**
 * Writes to one document that one request may not combine, with Google's emulator's messages: a
 * verify after any write or twice, any write after a verify, a write that requires the document to
 * exist (`exists: true` or `updateTime`) right after its delete, and a write that requires it to
 * be absent (`exists: false`) right after a write that left it in place.
 */
function checkSequence(op: WriteOp, before: WriteVerb | undefined): void {
  if (before === undefined) return;
  if (op.kind === 'verify') {
    throw invalid(
      before === 'verify'
        ? 'the same document cannot be verified more than once in a single request'
        : 'the same document cannot be written and then verified in a single request',
    );
  }
  if (before === 'verify')
    throw invalid('the same document cannot be verified and then written in a single request');
  const p = op.precondition;
  if (before === 'delete' && p && (p.exists === true || p.updateTime !== undefined)) {
    throw invalid(
      `Cannot delete then ${op.kind === 'delete' ? 'delete' : 'update'} an entity in the same request.`,
    );
  }
  if (before !== 'delete' && p?.exists === false) {
    throw invalid(
      `Cannot ${before} then ${op.kind === 'delete' ? 'delete' : 'insert'} an entity in the same request.`,
    );
  }
}

/** Parses a parent resource into its db id and document path ('' = root). */
export function parentPath(name: unknown): { db: DatabaseId; path: string } {
  const r = parseResource(name);
  if (r.segments.length % 2 !== 0) throw invalid(`Invalid parent: "${String(name)}".`);
  return { db: r.db, path: r.segments.join('/') };
}
