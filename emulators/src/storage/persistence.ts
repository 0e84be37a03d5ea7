/**
 * Export / import (`--import`, `--export-on-exit`, `EmulatorHandle.exportTo`).
 *
 * Format — deliberately the same layout as firebase-tools' storage export
 * (`lib/emulator/storage/files.js` `export`/`import`), so exports move between the two:
 *
 *     {dir}/storage/buckets.json            {"buckets":[{"id":"demo-member-portal.appspot.com"}]}
 *     {dir}/storage/blobs/{blobId}          the object's bytes, verbatim
 *     {dir}/storage/metadata/{blobId}.json  {"name","bucket","generation":<int>,"metageneration":<int>,
 *                                            "contentType","storageClass","size":<int>,"md5Hash",
 *                                            "crc32c":"<decimal uint32>","etag","downloadTokens":[…],
 *                                            "customMetadata":{…},"timeCreated","updated",
 *                                            optional contentEncoding/contentDisposition/
 *                                            contentLanguage/cacheControl/customTime}
 *
 * firebase-tools writes the same files under `storage_export/`; import accepts either folder.
 * An export is built in a temp folder beside the target and renamed into place, so a reader never
 * sees half an export and a crash leaves the previous export intact.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { copyFile, link, mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { etagFor, type ObjectMetadata, OPTIONAL_HTTP_FIELDS } from './metadata.js';
import type { ObjectStore } from './object-store.js';

interface ExportedMetadata {
  name: string;
  bucket: string;
  generation: number;
  metageneration: number;
  contentType?: string;
  storageClass?: string;
  size: number;
  md5Hash: string;
  crc32c: string;
  etag?: string;
  downloadTokens?: string[];
  customMetadata?: Record<string, string>;
  timeCreated?: string;
  updated?: string;
  contentEncoding?: string;
  contentDisposition?: string;
  contentLanguage?: string;
  cacheControl?: string;
  customTime?: string;
}

async function linkOrCopy(from: string, to: string): Promise<void> {
  try {
    await link(from, to);
  } catch {
    await copyFile(from, to);
  }
}

export async function exportStore(store: ObjectStore, dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const target = join(dir, 'storage');
  const tmp = join(dir, `.storage-export-${randomUUID()}`);
  try {
    await mkdir(join(tmp, 'blobs'), { recursive: true });
    await mkdir(join(tmp, 'metadata'), { recursive: true });
    for (const obj of [...store.all()]) {
      const id = randomUUID();
      try {
        await linkOrCopy(obj.blobPath, join(tmp, 'blobs', id));
      } catch (err) {
        // Replaced or deleted while exporting: the newer state is not part of this snapshot.
        if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw err;
      }
      await writeFile(join(tmp, 'metadata', `${id}.json`), JSON.stringify(toExported(obj.meta), null, 2));
    }
    const buckets = [...store.buckets].sort().map((id) => ({ id }));
    await writeFile(join(tmp, 'buckets.json'), JSON.stringify({ buckets }, null, 2));
    if (existsSync(target)) {
      const old = join(dir, `.storage-old-${randomUUID()}`);
      await rename(target, old);
      await rename(tmp, target);
      await rm(old, { recursive: true, force: true });
    } else {
      await rename(tmp, target);
    }
  } catch (err) {
    await rm(tmp, { recursive: true, force: true });
    throw err;
  }
}

/** Load an export into an empty store. Returns the number of objects imported. */
export async function importStore(
  store: ObjectStore,
  dir: string,
  log: (msg: string) => void,
): Promise<number> {
  // An export may hold only buckets.json (firebase-tools writes no blobs/ or metadata/ when empty).
  const root = [join(dir, 'storage'), join(dir, 'storage_export'), dir].find(
    (d) => existsSync(join(d, 'metadata')) || existsSync(join(d, 'buckets.json')),
  );
  if (!root) {
    log(`No storage export found in ${dir} (looked for storage/ and storage_export/).`);
    return 0;
  }
  const bucketsFile = join(root, 'buckets.json');
  if (existsSync(bucketsFile)) {
    const parsed = JSON.parse(await readFile(bucketsFile, 'utf8')) as {
      buckets?: Array<{ id?: unknown }>;
    };
    for (const b of parsed.buckets ?? []) if (typeof b.id === 'string') store.buckets.add(b.id);
  }
  let count = 0;
  if (!existsSync(join(root, 'metadata'))) return 0;
  for (const file of await walk(join(root, 'metadata'))) {
    if (!file.endsWith('.json')) continue;
    const rel = file.slice(join(root, 'metadata').length + 1, -'.json'.length);
    // firebase-tools names metadata files after the URI-encoded blob file name.
    const candidates = [join(root, 'blobs', rel), join(root, 'blobs', safeDecode(rel))];
    const blob = candidates.find((c) => existsSync(c));
    if (!blob) {
      log(`Skipping ${file}: its blob is missing.`);
      continue;
    }
    const exported = JSON.parse(await readFile(file, 'utf8')) as ExportedMetadata;
    const meta = fromExported(exported);
    // Older firebase-tools keyed files by `path.join(bucket, name)`; made on Windows, that is
    // `{bucket}\{name}` (URI-encoded `%5C`) and the stored name uses `\` between folders.
    if (safeDecode(rel).startsWith(`${meta.bucket}\\`)) meta.name = meta.name.replaceAll('\\', '/');
    const size = (await stat(blob)).size;
    if (size !== meta.size) {
      log(`Skipping ${meta.bucket}/${meta.name}: blob has ${size} bytes, metadata says ${meta.size}.`);
      continue;
    }
    const blobPath = join(store.blobDir, randomUUID());
    await linkOrCopy(blob, blobPath);
    store.put(meta, blobPath);
    count++;
  }
  return count;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

async function walk(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await walk(p)));
    else out.push(p);
  }
  return out;
}

function toExported(m: ObjectMetadata): ExportedMetadata {
  const out: ExportedMetadata = {
    name: m.name,
    bucket: m.bucket,
    generation: m.generation,
    metageneration: m.metageneration,
    contentType: m.contentType,
    storageClass: m.storageClass,
    size: m.size,
    md5Hash: m.md5Hash,
    crc32c: String(m.crc32c),
    etag: etagFor(m.generation, m.metageneration),
    downloadTokens: m.downloadTokens,
    customMetadata: m.customMetadata,
    timeCreated: m.timeCreated,
    updated: m.updated,
  };
  for (const f of OPTIONAL_HTTP_FIELDS) {
    if (m[f] !== undefined) out[f] = m[f];
  }
  return out;
}

function fromExported(e: ExportedMetadata): ObjectMetadata {
  const timeCreated = e.timeCreated ?? new Date().toISOString();
  const meta: ObjectMetadata = {
    bucket: e.bucket,
    name: e.name,
    generation: Number(e.generation),
    metageneration: Number(e.metageneration) || 1,
    size: Number(e.size),
    md5Hash: e.md5Hash,
    crc32c: Number(e.crc32c) >>> 0,
    contentType: e.contentType ?? 'application/octet-stream',
    customMetadata: { ...(e.customMetadata ?? {}) },
    downloadTokens: [...(e.downloadTokens ?? [])],
    timeCreated: new Date(timeCreated).toISOString(),
    updated: new Date(e.updated ?? timeCreated).toISOString(),
    storageClass: e.storageClass ?? 'STANDARD',
  };
  for (const f of OPTIONAL_HTTP_FIELDS) {
    const v = e[f];
    if (typeof v === 'string') meta[f] = v;
  }
  return meta;
}
