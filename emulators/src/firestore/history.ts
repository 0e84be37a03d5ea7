/**
 * Prior versions of documents, so reads at a `readTime` see the data as of that time.
 *
 * Production keeps versions for one hour, or seven days with point-in-time recovery
 * (https://firebase.google.com/docs/firestore/pitr; firestore.proto `read_time`: "within the past
 * one hour, or if Point-in-Time Recovery is enabled, can additionally be a whole minute timestamp
 * within the past 7 days"). We keep one hour, production's default, and at most `maxVersions` prior
 * versions (50,000: about 50 MB of 1 KB documents): memory stays bounded under any write rate. A read older than what is kept answers
 * FAILED_PRECONDITION, as a read older than the window does in production.
 *
 * Only replaced or deleted versions are kept; a document's versions are valid from their updateTime
 * to the commit that replaced them, and a document is absent between versions. A create costs nothing.
 */
import { Code, FirestoreError } from './errors.js';
import { Store, type StoredDoc } from './store.js';
import { formatTimestamp } from './timestamps.js';

export const RETENTION_MS = 60 * 60 * 1000;
export const MAX_VERSIONS = 50_000;

interface Prior {
  readonly doc: StoredDoc;
  /** Commit time that replaced or deleted this version. */
  readonly until: string;
}

function split(path: string): { collection: string; id: string } {
  const i = path.lastIndexOf('/');
  return { collection: path.slice(0, i), id: path.slice(i + 1) };
}

function msToTimestamp(ms: number): string {
  return formatTimestamp(Math.floor(ms / 1000), (ms % 1000) * 1_000_000);
}

export class History {
  /** Collection path → document id → prior versions, oldest first. */
  private readonly byCollection = new Map<string, Map<string, Prior[]>>();
  /** Every prior version in commit order, for pruning oldest first. */
  private queue: Prior[] = [];
  private head = 0;
  /** Reads before this time are refused: versions from before it may have been dropped. */
  private floor = '';

  constructor(
    private readonly retentionMs = RETENTION_MS,
    private readonly maxVersions = MAX_VERSIONS,
    private readonly nowMs: () => number = Date.now,
  ) {}

  get size(): number {
    return this.queue.length - this.head;
  }

  /** Records that `doc` stopped being current at `until` (a commit time). */
  replaced(doc: StoredDoc, until: string): void {
    const prior: Prior = { doc, until };
    const { collection, id } = split(doc.path);
    let coll = this.byCollection.get(collection);
    if (!coll) this.byCollection.set(collection, (coll = new Map()));
    const list = coll.get(id);
    if (list) list.push(prior);
    else coll.set(id, [prior]);
    this.queue.push(prior);
    this.prune();
  }

  /** Forgets everything before `time` (data loaded by an import has no known past). */
  forgetBefore(time: string): void {
    if (time > this.floor) this.floor = time;
  }

  /** Drops versions that no readable time can see, and the oldest beyond `maxVersions`. */
  prune(): void {
    const horizon = msToTimestamp(this.nowMs() - this.retentionMs);
    while (this.head < this.queue.length) {
      const p = this.queue[this.head]!;
      const overCap = this.size > this.maxVersions;
      if (!overCap && p.until > horizon) break;
      // A dropped version was visible until `until`: reads before then can no longer be answered.
      if (overCap) this.forgetBefore(p.until);
      this.head++;
      const { collection, id } = split(p.doc.path);
      const coll = this.byCollection.get(collection);
      const list = coll?.get(id);
      if (list) {
        list.shift();
        if (list.length === 0) coll!.delete(id);
        if (coll!.size === 0) this.byCollection.delete(collection);
      }
    }
    // Compact the queue once the dropped head dominates it.
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }

  /**
   * Refuses a read time the service would refuse (Google's emulator's codes and messages, checked
   * against it by the differential harness): in the future, or older than what is kept.
   */
  check(readTime: string, now: string): void {
    if (readTime > now) {
      throw new FirestoreError(Code.INVALID_ARGUMENT, "The requested 'read_time' cannot be in the future.");
    }
    const horizon = msToTimestamp(this.nowMs() - this.retentionMs);
    if (readTime < horizon || readTime < this.floor) {
      throw new FirestoreError(Code.FAILED_PRECONDITION, "The requested 'read_time' is too old.");
    }
  }

  /** The version of `path` at `readTime`, given its current version. */
  docAt(path: string, current: StoredDoc | undefined, readTime: string): StoredDoc | undefined {
    const { collection, id } = split(path);
    return this.pick(this.byCollection.get(collection)?.get(id), current, readTime);
  }

  private pick(
    priors: Prior[] | undefined,
    current: StoredDoc | undefined,
    t: string,
  ): StoredDoc | undefined {
    if (priors) {
      for (const p of priors) {
        if (t < p.until) return p.doc.updateTime <= t ? p.doc : undefined;
      }
    }
    return current && current.updateTime <= t ? current : undefined;
  }

  /**
   * A store holding the documents of the collections `wanted` accepts as they were at `readTime`,
   * for running queries and lists on it. Built per read: readTime reads are rare and this keeps
   * the current store free of any cost for them.
   */
  snapshot(store: Store, readTime: string, wanted: (collectionPath: string) => boolean): Store {
    const snap = new Store();
    for (const [path, coll] of store.collections) {
      if (!wanted(path)) continue;
      const priors = this.byCollection.get(path);
      for (const [id, doc] of coll.docs) {
        const d = this.pick(priors?.get(id), doc, readTime);
        if (d) snap.put(d);
      }
    }
    for (const [path, priors] of this.byCollection) {
      if (!wanted(path)) continue;
      const current = store.collections.get(path);
      for (const [id, list] of priors) {
        if (current?.docs.has(id)) continue;
        const d = this.pick(list, undefined, readTime);
        if (d) snap.put(d);
      }
    }
    return snap;
  }

  clear(): void {
    this.byCollection.clear();
    this.queue = [];
    this.head = 0;
  }
}
