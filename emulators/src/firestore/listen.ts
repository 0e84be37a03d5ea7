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
  /** Current result: path → updateTime (a query target's is its view's once registered). */
  current: Map<string, string>;
  view?: QueryView;
}

/**
 * The targets listening to one query (the same parsed query, projection included): its result is
 * diffed once per commit for all of them. Clients running the same app listen to the same queries,
 * and a diff per target made a hundred listeners cost a hundred diffs.
 */
interface QueryView {
  key: string;
  query: Query;
  /** The result as of the last commit: path → updateTime (every member's, see ListenHub.add). */
  current: Map<string, string>;
  members: Set<Target>;
}

/** What a commit changed in a view's result, in the order the messages go out. */
type ViewEvent =
  { kind: 'change'; doc: StoredDoc } | { kind: 'documentRemove' | 'documentDelete'; name: string };

/**
 * A query's identity. Values are in their proto3 JSON form (non-finite doubles as strings); a
 * number JSON cannot write (NaN, ±Infinity, -0) is spelled out rather than merged with another.
 */
function queryKey(q: Query): string {
  return JSON.stringify(q, (_k, v: unknown) =>
    typeof v === 'number' && (!Number.isFinite(v) || Object.is(v, -0))
      ? `number:${Object.is(v, -0) ? '-0' : v}`
      : v,
  );
}

export class ListenHub {
  /** Documents targets. */
  private readonly targets = new Set<Target>();
  private readonly views = new Map<string, QueryView>();

  add(t: Target): void {
    if (!t.query) {
      this.targets.add(t);
      return;
    }
    // A target joins with the result it was just given, which is the view's: both were read from
    // the store as it is between commits.
    const key = queryKey(t.query);
    let view = this.views.get(key);
    if (!view) this.views.set(key, (view = { key, query: t.query, current: t.current, members: new Set() }));
    t.view = view;
    t.current = view.current;
    view.members.add(t);
  }

  remove(t: Target): void {
    const view = t.view;
    if (!view) {
      this.targets.delete(t);
      return;
    }
    t.view = undefined;
    view.members.delete(t);
    if (view.members.size === 0 && this.views.get(view.key) === view) this.views.delete(view.key);
  }

  /** Registered targets (tests check that closed streams leave none behind). */
  get size(): number {
    let n = this.targets.size;
    for (const v of this.views.values()) n += v.members.size;
    return n;
  }

  onChanges(db: Database, changes: Change[], readTime: string): void {
    if (this.targets.size === 0 && this.views.size === 0) return;
    const touched = new Set<ListenSession>();
    // One JSON form per changed document for all targets without a projection: with many
    // listeners on one collection, converting it per target dominated a commit's cost.
    const shared = new Map<StoredDoc, DocJson>();
    const toJson = (d: StoredDoc): DocJson => {
      let j = shared.get(d);
      if (!j) shared.set(d, (j = db.toJson(d)));
      return j;
    };
    // And one documentChange per document form and target id (listeners number their targets alike).
    const messages = new Map<DocJson, Map<number, ListenResponse>>();
    const change = (document: DocJson, id: number): ListenResponse => {
      let byId = messages.get(document);
      if (!byId) messages.set(document, (byId = new Map()));
      let m = byId.get(id);
      if (!m) byId.set(id, (m = { documentChange: { document, targetIds: [id], removedTargetIds: [] } }));
      return m;
    };
    for (const t of this.targets) {
      for (const c of changes) {
        if (!t.paths!.has(c.path)) continue;
        const name = `${db.docsRoot}/${c.path}`;
        if (c.doc) {
          t.current.set(c.path, c.doc.updateTime);
          t.session.send(change(toJson(c.doc), t.id));
        } else if (t.current.delete(c.path)) {
          t.session.send({ documentDelete: { document: name, removedTargetIds: [t.id], readTime } });
        }
        touched.add(t.session);
      }
    }
    for (const view of this.views.values()) {
      const q = view.query;
      if (!changes.some((c) => isInScope(q, c.path))) continue;
      const events = diffView(view, db, changes);
      const forms = events.map((e) =>
        e.kind === 'change' ? (q.select ? db.toJson(e.doc, q.select) : toJson(e.doc)) : undefined,
      );
      for (const t of view.members) {
        events.forEach((e, i) => {
          if (e.kind === 'change') t.session.send(change(forms[i]!, t.id));
          else if (e.kind === 'documentRemove')
            t.session.send({ documentRemove: { document: e.name, removedTargetIds: [t.id], readTime } });
          else t.session.send({ documentDelete: { document: e.name, removedTargetIds: [t.id], readTime } });
        });
        touched.add(t.session);
      }
    }
    for (const s of touched) s.globalSnapshot(readTime);
  }
}

/** Brings a view's result up to date with a commit's changes and says what changed in it. */
function diffView(view: QueryView, db: Database, changes: Change[]): ViewEvent[] {
  const q = view.query;
  const current = view.current;
  const events: ViewEvent[] = [];
  if (q.limit === undefined && q.offset === 0 && !q.startAt && !q.endAt) {
    // Without limits a document's membership depends only on itself: no re-run needed.
    const docs: StoredDoc[] = [];
    for (const c of changes) {
      if (c.doc && matchesQuery(q, db.docsRoot, c.doc)) docs.push(c.doc);
      else if (current.delete(c.path))
        events.push({ kind: c.doc ? 'documentRemove' : 'documentDelete', name: `${db.docsRoot}/${c.path}` });
    }
    for (const d of docs) {
      current.set(d.path, d.updateTime);
      events.push({ kind: 'change', doc: d });
    }
    return events;
  }
  const docs = runQuery(q, db.store, db.docsRoot);
  const next = new Map<string, string>();
  for (const d of docs) {
    next.set(d.path, d.updateTime);
    if (current.get(d.path) !== d.updateTime) events.push({ kind: 'change', doc: d });
  }
  for (const path of current.keys()) {
    if (next.has(path)) continue;
    const kind = db.store.get(path) ? 'documentRemove' : 'documentDelete';
    events.push({ kind, name: `${db.docsRoot}/${path}` });
  }
  // The members hold this Map: it is refilled in place rather than replaced.
  current.clear();
  for (const [path, time] of next) current.set(path, time);
  return events;
}

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
