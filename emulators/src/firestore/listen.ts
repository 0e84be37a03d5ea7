/**
 * The Listen protocol (google.firestore.v1.Firestore/Listen), as the full JS SDK and firebase-admin
 * consume it (wire-protocols §A.2/A.3; firebase-js-sdk packages/firestore/src/remote/watch_change.ts):
 * ADD, the matching documents, CURRENT with a resume token, then a global NO_CHANGE with a read
 * time. Later commits produce documentChange / documentDelete / documentRemove followed by another
 * global NO_CHANGE. We cannot compute deltas from a resume token, so a resumed target gets RESET
 * and the full current result (the client then drops documents that are no longer there).
 */
import type { Caller } from './auth.js';
import { type Codec, isRecord } from './codec.js';
import { type Change, type Database, type DocJson, parentPath } from './database.js';
import { invalid, toFirestoreError } from './errors.js';
import { type DatabaseId, parseDocumentName } from './paths.js';
import { isInScope, matchesQuery, parseQuery, type Query, runQuery } from './query.js';
import { checkDocument } from './rules-gate.js';
import type { StoredDoc } from './store.js';

export type ListenResponse =
  | {
      targetChange: {
        targetChangeType: 'NO_CHANGE' | 'ADD' | 'REMOVE' | 'CURRENT' | 'RESET';
        targetIds: number[];
        cause?: { code: number; message: string };
        resumeToken?: string;
        readTime?: string;
      };
    }
  | { documentChange: { document: DocJson; targetIds: number[]; removedTargetIds: number[] } }
  | { documentDelete: { document: string; removedTargetIds: number[]; readTime: string } }
  | { documentRemove: { document: string; removedTargetIds: number[]; readTime: string } };

interface Target {
  id: number;
  session: ListenSession;
  db: Database;
  /** Document paths of a documents target. */
  paths?: Set<string>;
  query?: Query;
  /** Current result: path → updateTime. */
  current: Map<string, string>;
}

export class ListenHub {
  private readonly targets = new Set<Target>();

  add(t: Target): void {
    this.targets.add(t);
  }

  remove(t: Target): void {
    this.targets.delete(t);
  }

  /** Registered targets (tests check that closed streams leave none behind). */
  get size(): number {
    return this.targets.size;
  }

  onChanges(db: Database, changes: Change[], readTime: string): void {
    if (this.targets.size === 0) return;
    const touched = new Set<ListenSession>();
    // One JSON form per changed document for all targets without a projection: with many
    // listeners on one collection, converting it per target dominated a commit's cost.
    const shared = new Map<StoredDoc, DocJson>();
    // And one documentChange per document and target id (listeners number their targets alike).
    const messages = new Map<DocJson, Map<number, ListenResponse>>();
    const change: ChangeMessage = (d, id, select) => {
      if (select)
        return { documentChange: { document: db.toJson(d, select), targetIds: [id], removedTargetIds: [] } };
      let j = shared.get(d);
      if (!j) shared.set(d, (j = db.toJson(d)));
      let byId = messages.get(j);
      if (!byId) messages.set(j, (byId = new Map()));
      let m = byId.get(id);
      if (!m) byId.set(id, (m = { documentChange: { document: j, targetIds: [id], removedTargetIds: [] } }));
      return m;
    };
    for (const t of this.targets) {
      if (t.paths) {
        for (const c of changes) {
          if (!t.paths.has(c.path)) continue;
          const name = `${db.docsRoot}/${c.path}`;
          if (c.doc) {
            t.current.set(c.path, c.doc.updateTime);
            t.session.send(change(c.doc, t.id));
          } else if (t.current.delete(c.path)) {
            t.session.send({ documentDelete: { document: name, removedTargetIds: [t.id], readTime } });
          }
          touched.add(t.session);
        }
      } else if (t.query) {
        const q = t.query;
        if (!changes.some((c) => isInScope(q, c.path))) continue;
        diffQuery(t, readTime, changes, change);
        touched.add(t.session);
      }
    }
    for (const s of touched) s.globalSnapshot(readTime);
  }
}

function diffQuery(t: Target, readTime: string, changes: Change[], change: ChangeMessage): void {
  const db = t.db;
  const q = t.query!;
  let docs: StoredDoc[];
  if (q.limit === undefined && q.offset === 0 && !q.startAt && !q.endAt) {
    // Without limits a document's membership depends only on itself: no re-run needed.
    docs = [];
    for (const c of changes) {
      if (c.doc && matchesQuery(q, db.docsRoot, c.doc)) docs.push(c.doc);
      else if (t.current.has(c.path)) {
        t.current.delete(c.path);
        const name = `${db.docsRoot}/${c.path}`;
        if (c.doc) t.session.send({ documentRemove: { document: name, removedTargetIds: [t.id], readTime } });
        else t.session.send({ documentDelete: { document: name, removedTargetIds: [t.id], readTime } });
      }
    }
    for (const d of docs) {
      t.current.set(d.path, d.updateTime);
      t.session.send(change(d, t.id, q.select));
    }
    return;
  }
  docs = runQuery(q, db.store, db.docsRoot);
  const next = new Map<string, string>();
  for (const d of docs) {
    next.set(d.path, d.updateTime);
    if (t.current.get(d.path) !== d.updateTime) {
      t.session.send(change(d, t.id, q.select));
    }
  }
  for (const path of t.current.keys()) {
    if (next.has(path)) continue;
    const name = `${db.docsRoot}/${path}`;
    if (db.store.get(path))
      t.session.send({ documentRemove: { document: name, removedTargetIds: [t.id], readTime } });
    else t.session.send({ documentDelete: { document: name, removedTargetIds: [t.id], readTime } });
  }
  t.current = next;
}

/** The documentChange of a document for one target, shared by the targets of a commit. */
type ChangeMessage = (d: StoredDoc, targetId: number, select?: Query['select']) => ListenResponse;

export type DatabaseResolver = (id: DatabaseId) => Database;

/** One Listen stream: its targets and its outgoing messages. */
export class ListenSession {
  private readonly targets = new Map<number, Target>();
  private closed = false;
  private lastReadTime = '';

  constructor(
    private readonly resolve: DatabaseResolver,
    private readonly caller: Caller,
    private readonly codec: Codec,
    private readonly sink: (msg: ListenResponse) => void,
  ) {}

  send(msg: ListenResponse): void {
    if (!this.closed) this.sink(msg);
  }

  globalSnapshot(at: string): void {
    // Read times must never go backwards or the client ignores the snapshot.
    const readTime = at < this.lastReadTime ? this.lastReadTime : at;
    this.lastReadTime = readTime;
    this.send({ targetChange: { targetChangeType: 'NO_CHANGE', targetIds: [], readTime } });
  }

  /** Handles one ListenRequest (addTarget or removeTarget). */
  handle(req: unknown): void {
    if (!isRecord(req)) throw invalid('ListenRequest must be an object.');
    if (req['addTarget'] !== undefined && req['addTarget'] !== null) this.addTarget(req['addTarget']);
    else if (req['removeTarget'] !== undefined && req['removeTarget'] !== null)
      this.removeTarget(Number(req['removeTarget']));
  }

  private removeTarget(id: number): void {
    if (!Number.isInteger(id)) throw invalid('removeTarget must be an integer target id.');
    const t = this.targets.get(id);
    if (t) {
      t.db.listeners?.remove(t);
      this.targets.delete(id);
    }
    this.send({ targetChange: { targetChangeType: 'REMOVE', targetIds: [id] } });
  }

  private addTarget(raw: unknown): void {
    if (!isRecord(raw)) throw invalid('addTarget must be an object.');
    const id = Number(raw['targetId'] ?? 0);
    if (!Number.isInteger(id)) throw invalid('targetId must be an integer.');
    const resumed =
      (typeof raw['resumeToken'] === 'string' && raw['resumeToken'] !== '') ||
      (raw['readTime'] !== undefined && raw['readTime'] !== null);
    this.send({ targetChange: { targetChangeType: 'ADD', targetIds: [id] } });
    try {
      if (resumed) this.send({ targetChange: { targetChangeType: 'RESET', targetIds: [id] } });
      const t = this.buildTarget(id, raw);
      this.targets.get(id)?.db.listeners?.remove(this.targets.get(id)!);
      this.targets.set(id, t);
      t.db.listeners?.add(t);
      const readTime = t.db.clock.now();
      const token = Buffer.from(`${readTime}`).toString('base64');
      this.send({
        targetChange: { targetChangeType: 'CURRENT', targetIds: [id], resumeToken: token, readTime },
      });
      this.globalSnapshot(readTime);
    } catch (e) {
      const err = toFirestoreError(e);
      this.send({
        targetChange: {
          targetChangeType: 'REMOVE',
          targetIds: [id],
          cause: { code: err.code, message: err.message },
        },
      });
    }
  }

  private buildTarget(id: number, raw: Record<string, unknown>): Target {
    const docs = raw['documents'];
    const query = raw['query'];
    if (isRecord(docs)) {
      const names = docs['documents'];
      if (!Array.isArray(names) || names.length === 0)
        throw invalid('documents target needs document names.');
      const parsed = names.map((n) => parseDocumentName(n));
      const db = this.resolve(parsed[0]!.db);
      const t: Target = { id, session: this, db, paths: new Set(), current: new Map() };
      const access = db.documentAccess();
      const time = new Date();
      const found: StoredDoc[] = [];
      for (const p of parsed) {
        const path = p.segments.join('/');
        const doc = db.store.get(path);
        checkDocument(db.rulesContext(), this.caller, {
          method: 'get',
          docPath: path,
          resource: doc ? { name: `${db.docsRoot}/${path}`, fields: doc.fields } : null,
          documents: access,
          accessLimit: 10,
          time,
        });
        t.paths!.add(path);
        if (doc) found.push(doc);
      }
      for (const d of found) {
        t.current.set(d.path, d.updateTime);
        this.send({ documentChange: { document: db.toJson(d), targetIds: [id], removedTargetIds: [] } });
      }
      return t;
    }
    if (isRecord(query)) {
      const parent = parentPath(query['parent']);
      const db = this.resolve(parent.db);
      const q = parseQuery(parent.path, query['structuredQuery'], this.codec);
      // Reuse the read path so list rules are enforced exactly as for RunQuery.
      const docs = db.queryForListen(this.caller, q);
      const t: Target = { id, session: this, db, query: q, current: new Map() };
      for (const d of docs) {
        t.current.set(d.path, d.updateTime);
        this.send({
          documentChange: { document: db.toJson(d, q.select), targetIds: [id], removedTargetIds: [] },
        });
      }
      return t;
    }
    throw invalid('addTarget needs a query or documents target.');
  }

  close(): void {
    this.closed = true;
    for (const t of this.targets.values()) t.db.listeners?.remove(t);
    this.targets.clear();
  }
}
