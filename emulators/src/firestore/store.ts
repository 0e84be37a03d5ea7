/**
 * In-memory documents of one database, grouped per collection so that a collection scan is a walk
 * over one map and a collection-group scan only visits collections with that id. Each collection
 * keeps its ids sorted lazily (re-sorted only after an insert or delete, not on updates).
 */
import { compareSegments, compareUtf8, type Fields, indexKey } from './values.js';

export interface StoredDoc {
  /** Path below `documents/`, e.g. `users/u1`. */
  readonly path: string;
  readonly fields: Fields;
  readonly createTime: string;
  readonly updateTime: string;
}

/** Equality index of one top-level field: value key → ids of documents holding that value. */
type FieldIndex = Map<string, Set<string>>;

export class Collection {
  readonly docs = new Map<string, StoredDoc>();
  private sorted: StoredDoc[] | null = null;
  /** Built on the first equality query on a field, then maintained on every write. */
  private readonly indexes = new Map<string, FieldIndex>();
  constructor(
    /** Path below `documents/`, e.g. `users` or `users/u1/posts`. */
    readonly path: string,
    readonly id: string,
    /** Parent document path ('' for the root). */
    readonly parent: string,
  ) {}

  invalidate(): void {
    this.sorted = null;
  }

  /** Ids of documents whose top-level `field` equals the value with `key`. */
  lookup(field: string, key: string): Set<string> | undefined {
    let index = this.indexes.get(field);
    if (!index) {
      index = new Map();
      for (const [id, doc] of this.docs) addToIndex(index, doc.fields, field, id);
      this.indexes.set(field, index);
    }
    return index.get(key);
  }

  /** Keeps indexes in step with a write (`before`/`after` undefined = absent). */
  reindex(id: string, before: StoredDoc | undefined, after: StoredDoc | undefined): void {
    for (const [field, index] of this.indexes) {
      if (before) {
        const v = before.fields[field];
        const k = v === undefined ? undefined : indexKey(v);
        if (k !== undefined) index.get(k)?.delete(id);
      }
      if (after) addToIndex(index, after.fields, field, id);
    }
  }

  /** Documents in name order. The array is shared: callers must not mutate it. */
  ordered(): StoredDoc[] {
    if (!this.sorted) {
      const ids = [...this.docs.keys()].sort(compareSegments);
      this.sorted = ids.map((id) => this.docs.get(id)!);
    }
    return this.sorted;
  }

  /** Refreshes one entry of the sorted cache in place after an update of an existing doc. */
  replaceInOrder(doc: StoredDoc): void {
    if (!this.sorted) return;
    const id = lastSegment(doc.path);
    let lo = 0;
    let hi = this.sorted.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const c = compareSegments(lastSegment(this.sorted[mid]!.path), id);
      if (c === 0) {
        this.sorted[mid] = doc;
        return;
      }
      if (c < 0) lo = mid + 1;
      else hi = mid - 1;
    }
    this.sorted = null;
  }
}

function addToIndex(index: FieldIndex, fields: Fields, field: string, id: string): void {
  const v = fields[field];
  const k = v === undefined ? undefined : indexKey(v);
  if (k === undefined) return;
  const set = index.get(k);
  if (set) set.add(id);
  else index.set(k, new Set([id]));
}

function lastSegment(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

function splitDocPath(path: string): { collection: string; id: string } {
  const i = path.lastIndexOf('/');
  return { collection: path.slice(0, i), id: path.slice(i + 1) };
}

export class Store {
  readonly collections = new Map<string, Collection>();
  private readonly byId = new Map<string, Set<Collection>>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  get(path: string): StoredDoc | undefined {
    const { collection, id } = splitDocPath(path);
    return this.collections.get(collection)?.docs.get(id);
  }

  put(doc: StoredDoc): void {
    const { collection, id } = splitDocPath(doc.path);
    let coll = this.collections.get(collection);
    if (!coll) {
      const ci = collection.lastIndexOf('/');
      coll = new Collection(collection, collection.slice(ci + 1), ci < 0 ? '' : collection.slice(0, ci));
      this.collections.set(collection, coll);
      const set = this.byId.get(coll.id);
      if (set) set.add(coll);
      else this.byId.set(coll.id, new Set([coll]));
    }
    const before = coll.docs.get(id);
    const existed = before !== undefined;
    coll.docs.set(id, doc);
    coll.reindex(id, before, doc);
    if (existed) coll.replaceInOrder(doc);
    else {
      coll.invalidate();
      this.count++;
    }
  }

  delete(path: string): boolean {
    const { collection, id } = splitDocPath(path);
    const coll = this.collections.get(collection);
    const before = coll?.docs.get(id);
    if (!coll || !before) return false;
    coll.docs.delete(id);
    coll.reindex(id, before, undefined);
    this.count--;
    coll.invalidate();
    if (coll.docs.size === 0) {
      this.collections.delete(collection);
      this.byId.get(coll.id)?.delete(coll);
    }
    return true;
  }

  clear(): void {
    this.collections.clear();
    this.byId.clear();
    this.count = 0;
  }

  /** Documents of one collection in name order. */
  collectionDocs(collectionPath: string): StoredDoc[] {
    return this.collections.get(collectionPath)?.ordered() ?? [];
  }

  /** Collections with `id` at any depth below the document `parent` ('' = root), in path order. */
  groupCollections(parent: string, id: string): Collection[] {
    const set = this.byId.get(id);
    if (!set) return [];
    const prefix = parent === '' ? '' : `${parent}/`;
    const out: Collection[] = [];
    for (const c of set) if (prefix === '' || c.path.startsWith(prefix)) out.push(c);
    return out;
  }

  /** Ids of collections directly below `parent` that hold a document at any depth. */
  collectionIds(parent: string): string[] {
    const prefix = parent === '' ? '' : `${parent}/`;
    const depth = parent === '' ? 0 : parent.split('/').length;
    const ids = new Set<string>();
    for (const path of this.collections.keys()) {
      if (prefix !== '' && !path.startsWith(prefix)) continue;
      const seg = path.split('/')[depth];
      if (seg !== undefined) ids.add(seg);
    }
    return [...ids].sort(compareUtf8);
  }

  /** Ids of documents in a collection that do not exist but have subcollections ("missing" docs). */
  missingDocIds(collectionPath: string): string[] {
    const prefix = `${collectionPath}/`;
    const depth = collectionPath.split('/').length;
    const coll = this.collections.get(collectionPath);
    const ids = new Set<string>();
    for (const path of this.collections.keys()) {
      if (!path.startsWith(prefix)) continue;
      const seg = path.split('/')[depth];
      if (seg !== undefined && !coll?.docs.has(seg)) ids.add(seg);
    }
    return [...ids];
  }

  *allDocs(): Iterable<StoredDoc> {
    for (const c of this.collections.values()) yield* c.docs.values();
  }
}
