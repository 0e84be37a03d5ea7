/**
 * Objects: metadata in memory, bytes in one immutable file per generation under `{dataDir}/blobs`.
 * New bytes are streamed into `{dataDir}/tmp` by a BlobWriter and only renamed into place when the
 * upload is accepted, so a failed, aborted or denied upload never becomes visible and a reader of
 * the previous generation keeps its open file (POSIX unlink semantics).
 */
import { randomUUID } from 'node:crypto';
import { createReadStream, openSync, type ReadStream } from 'node:fs';
import { copyFile, link, mkdir, rm, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { BlobWriter } from './blob-writer.js';
import type { ObjectMetadata } from './metadata.js';

export interface StoredObject {
  meta: ObjectMetadata;
  /** Absolute path of the blob file holding this generation's bytes. */
  blobPath: string;
}

export interface ListOptions {
  prefix: string;
  delimiter: string;
  maxResults: number;
  pageToken?: string;
}

export interface ListResult {
  items: StoredObject[];
  prefixes: string[];
  nextPageToken?: string;
}

export class ObjectStore {
  private readonly objects = new Map<string, StoredObject>();
  readonly buckets = new Set<string>();
  readonly blobDir: string;
  readonly tmpDir: string;
  private lastGeneration = 0;

  constructor(readonly dataDir: string) {
    this.blobDir = join(dataDir, 'blobs');
    this.tmpDir = join(dataDir, 'tmp');
  }

  async init(): Promise<void> {
    await mkdir(this.blobDir, { recursive: true });
    await mkdir(this.tmpDir, { recursive: true });
  }

  /** GCS generations are microsecond timestamps; strictly increasing so overwrites are ordered. */
  nextGeneration(): number {
    const candidate = Date.now() * 1000;
    this.lastGeneration = candidate > this.lastGeneration ? candidate : this.lastGeneration + 1;
    return this.lastGeneration;
  }

  newWriter(): BlobWriter {
    return new BlobWriter(join(this.tmpDir, randomUUID()));
  }

  get(bucket: string, name: string): StoredObject | undefined {
    return this.objects.get(key(bucket, name));
  }

  all(): IterableIterator<StoredObject> {
    return this.objects.values();
  }

  get size(): number {
    return this.objects.size;
  }

  /**
   * Move a finished writer's file into place as the object's current generation. `guard` runs
   * synchronously right before the object is replaced (preconditions on the live object); if it
   * throws, nothing changes and the bytes are removed.
   */
  async commit(
    meta: ObjectMetadata,
    writer: BlobWriter,
    guard?: (current: StoredObject | undefined) => void,
  ): Promise<StoredObject> {
    const blobPath = join(this.blobDir, randomUUID());
    await writer.moveTo(blobPath);
    return this.putGuarded(meta, blobPath, guard);
  }

  /** `put`, after `guard` accepted the object it replaces; a refused blob is unlinked. */
  putGuarded(
    meta: ObjectMetadata,
    blobPath: string,
    guard?: (current: StoredObject | undefined) => void,
  ): StoredObject {
    try {
      guard?.(this.get(meta.bucket, meta.name));
    } catch (err) {
      void unlink(blobPath).catch(() => undefined);
      throw err;
    }
    return this.put(meta, blobPath);
  }

  /** Register bytes already at `blobPath` (import). */
  put(meta: ObjectMetadata, blobPath: string): StoredObject {
    const k = key(meta.bucket, meta.name);
    const previous = this.objects.get(k);
    const stored: StoredObject = { meta, blobPath };
    this.objects.set(k, stored);
    this.buckets.add(meta.bucket);
    if (previous && previous.blobPath !== blobPath) void unlink(previous.blobPath).catch(() => undefined);
    return stored;
  }

  /** Replace only the metadata of the current generation. */
  updateMeta(meta: ObjectMetadata): StoredObject | undefined {
    const k = key(meta.bucket, meta.name);
    const cur = this.objects.get(k);
    if (!cur) return undefined;
    const next = { meta, blobPath: cur.blobPath };
    this.objects.set(k, next);
    return next;
  }

  /** Blobs are immutable, so a copy can share the source's inode; fall back to a byte copy. */
  async cloneBlob(source: StoredObject): Promise<string> {
    const blobPath = join(this.blobDir, randomUUID());
    try {
      await link(source.blobPath, blobPath);
    } catch {
      await copyFile(source.blobPath, blobPath);
    }
    return blobPath;
  }

  delete(bucket: string, name: string): StoredObject | undefined {
    const k = key(bucket, name);
    const cur = this.objects.get(k);
    if (!cur) return undefined;
    this.objects.delete(k);
    void unlink(cur.blobPath).catch(() => undefined);
    return cur;
  }

  async clear(): Promise<void> {
    this.objects.clear();
    await rm(this.blobDir, { recursive: true, force: true });
    await mkdir(this.blobDir, { recursive: true });
  }

  /**
   * Open the blob synchronously so a concurrent overwrite (which unlinks the old blob) cannot
   * pull the file away between the decision to serve it and the first read. Returns undefined when
   * the generation was already replaced.
   */
  read(obj: StoredObject, start?: number, endInclusive?: number): ReadStream | undefined {
    let fd: number;
    try {
      fd = openSync(obj.blobPath, 'r');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    return createReadStream('', {
      fd,
      start,
      end: endInclusive,
      highWaterMark: 1024 * 1024,
    });
  }

  /**
   * GCS list semantics (https://cloud.google.com/storage/docs/json_api/v1/objects/list): with a
   * delimiter, names that contain it after the prefix collapse into `prefixes`; items and prefixes
   * share one lexicographic order and one `maxResults` budget. The page token is the last entry
   * returned, so pages stay consistent when objects are added or removed between calls.
   */
  list(bucket: string, opts: ListOptions): ListResult {
    const entries = new Map<string, StoredObject | null>();
    for (const obj of this.objects.values()) {
      if (obj.meta.bucket !== bucket || !obj.meta.name.startsWith(opts.prefix)) continue;
      const name = obj.meta.name;
      if (opts.delimiter) {
        const idx = name.indexOf(opts.delimiter, opts.prefix.length);
        if (idx !== -1) {
          entries.set(name.slice(0, idx + opts.delimiter.length), null);
          continue;
        }
      }
      entries.set(name, obj);
    }
    const keys = [...entries.keys()].sort(compareUtf8);
    const after = opts.pageToken ? decodePageToken(opts.pageToken) : undefined;
    let start = 0;
    if (after !== undefined) {
      while (start < keys.length && compareUtf8(keys[start]!, after) <= 0) start++;
    }
    const page = keys.slice(start, start + opts.maxResults);
    const result: ListResult = { items: [], prefixes: [] };
    for (const k of page) {
      const obj = entries.get(k);
      if (obj) result.items.push(obj);
      else result.prefixes.push(k);
    }
    if (start + opts.maxResults < keys.length && page.length > 0) {
      result.nextPageToken = encodePageToken(page[page.length - 1]!);
    }
    return result;
  }
}

function key(bucket: string, name: string): string {
  return `${bucket}\u0000${name}`;
}

/**
 * GCS orders names by their UTF-8 bytes, i.e. by code point. UTF-16 code-unit order differs only
 * for surrogates versus U+E000–U+FFFF, so those are shifted to restore code-point order.
 */
export function compareUtf8(a: string, b: string): number {
  if (a === b) return 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x !== y) return rank(x) - rank(y);
  }
  return a.length - b.length;
}

function rank(unit: number): number {
  if (unit >= 0xd800 && unit <= 0xdfff) return unit + 0x2000;
  if (unit >= 0xe000) return unit - 0x800;
  return unit;
}

function encodePageToken(last: string): string {
  return Buffer.from(last, 'utf8').toString('base64url');
}

function decodePageToken(token: string): string {
  return Buffer.from(token, 'base64url').toString('utf8');
}
