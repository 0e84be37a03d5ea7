/**
 * Export / import of the emulator's data.
 *
 * Layout (owned by this emulator inside the shared export directory `DIR`):
 *
 *     DIR/firestore/metadata.json      {"format":"offline-emulators/firestore","version":1,
 *                                       "exportedAt":ISO,"databases":[{"project","database","file","documents"}]}
 *     DIR/firestore/<n>.ndjson          one document per line: {"path","fields","createTime","updateTime"}
 *                                       (`path` below `documents/`, values in REST JSON form)
 *
 * Exports are atomic: everything is written and fsynced in `DIR/.firestore.tmp-*`, the previous
 * `DIR/firestore` is renamed aside, the new tree renamed into place, and only then is the old one
 * removed. A crash at any point leaves either the old or the new export complete; if it struck
 * between the two renames, import falls back to the `DIR/.firestore.old-*` tree.
 */
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { FirestoreEmulatorCore } from './emulator.js';
import { jsonFields } from './json-codec.js';
import { parseTimestamp } from './timestamps.js';

const FORMAT = 'offline-emulators/firestore';

interface Metadata {
  format: string;
  version: number;
  exportedAt: string;
  databases: { project: string; database: string; file: string; documents: number }[];
}

async function fsyncPath(path: string): Promise<void> {
  const fh = await open(path, 'r');
  try {
    await fh.sync();
  } finally {
    await fh.close();
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

export async function exportFirestore(core: FirestoreEmulatorCore, dir: string): Promise<void> {
  await mkdir(dir, { recursive: true });
  const suffix = randomBytes(6).toString('hex');
  const tmp = join(dir, `.firestore.tmp-${suffix}`);
  await mkdir(tmp);
  try {
    const meta: Metadata = {
      format: FORMAT,
      version: 1,
      exportedAt: new Date().toISOString(),
      databases: [],
    };
    let n = 0;
    for (const db of core.databases()) {
      if (db.store.size === 0) continue;
      const file = `${n++}.ndjson`;
      const fh = await open(join(tmp, file), 'w');
      try {
        let buf: string[] = [];
        let count = 0;
        for (const d of db.store.allDocs()) {
          buf.push(
            JSON.stringify({
              path: d.path,
              fields: d.fields,
              createTime: d.createTime,
              updateTime: d.updateTime,
            }),
          );
          count++;
          if (buf.length >= 1000) {
            await fh.write(`${buf.join('\n')}\n`);
            buf = [];
          }
        }
        if (buf.length) await fh.write(`${buf.join('\n')}\n`);
        await fh.sync();
        meta.databases.push({ project: db.id.project, database: db.id.database, file, documents: count });
      } finally {
        await fh.close();
      }
    }
    const mfh = await open(join(tmp, 'metadata.json'), 'w');
    try {
      await mfh.write(`${JSON.stringify(meta, null, 2)}\n`);
      await mfh.sync();
    } finally {
      await mfh.close();
    }
    await fsyncPath(tmp);
    const target = join(dir, 'firestore');
    const old = join(dir, `.firestore.old-${suffix}`);
    const hadOld = await exists(target);
    if (hadOld) await rename(target, old);
    await rename(tmp, target);
    await fsyncPath(dir);
    if (hadOld) await rm(old, { recursive: true, force: true });
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    throw e;
  }
}

async function findExport(dir: string): Promise<string | undefined> {
  const main = join(dir, 'firestore');
  if (await exists(join(main, 'metadata.json'))) return main;
  let entries: string[] = [];
  try {
    entries = await readdir(dir);
  } catch {
    return undefined;
  }
  for (const e of entries.filter((x) => x.startsWith('.firestore.old-')).sort()) {
    if (await exists(join(dir, e, 'metadata.json'))) return join(dir, e);
  }
  return undefined;
}

/** Loads an export; a directory without one is not an error (first run of --import). */
export async function importFirestore(core: FirestoreEmulatorCore, dir: string): Promise<number> {
  const root = await findExport(dir);
  if (!root) return 0;
  const meta = JSON.parse(await readFile(join(root, 'metadata.json'), 'utf8')) as Metadata;
  if (meta.format !== FORMAT) throw new Error(`${root}/metadata.json is not a ${FORMAT} export`);
  let total = 0;
  for (const entry of meta.databases) {
    const db = core.db({ project: entry.project, database: entry.database });
    const rl = createInterface({
      input: createReadStream(join(root, entry.file), 'utf8'),
      crlfDelay: Infinity,
    });
    for await (const line of rl) {
      if (line.trim() === '') continue;
      const raw = JSON.parse(line) as {
        path: string;
        fields: unknown;
        createTime: string;
        updateTime: string;
      };
      db.load({
        path: raw.path,
        fields: jsonFields(raw.fields),
        createTime: parseTimestamp(raw.createTime),
        updateTime: parseTimestamp(raw.updateTime),
      });
      total++;
    }
  }
  return total;
}
