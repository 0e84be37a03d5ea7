/** Export/import round trip and the atomic-replace guarantees of persistence.ts. */
import { mkdtemp, readdir, readFile, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openFirestoreEmulator } from './index.js';
import { adminClient, startTestEmulator } from './test-support/clients.js';
import { stillPendingAfter } from '../test-support/pending.js';

const dirs: string[] = [];
async function tempDir(): Promise<string> {
  const d = await mkdtemp(join(tmpdir(), 'fs-export-'));
  dirs.push(d);
  return d;
}

afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

describe('export / import', { timeout: 30_000 }, () => {
  it('round-trips documents of several projects with their timestamps', async () => {
    const dir = await tempDir();
    const a = await startTestEmulator({ projectId: 'demo-exp' });
    const db = adminClient(a);
    const other = adminClient(a, 'demo-exp-2');
    await db.doc('users/u1').set({ name: 'Ann', n: 1, tags: ['x'], when: new Date(1_700_000_000_000) });
    await db.doc('users/u1/posts/p1').set({ title: 'hello' });
    await other.doc('misc/m').set({ v: 2 });
    const before = await db.doc('users/u1').get();
    await a.exportTo(dir);
    await db.terminate();
    await other.terminate();
    await a.stop();

    const files = await readdir(join(dir, 'firestore'));
    expect(files.sort()).toEqual(['0.ndjson', '1.ndjson', 'metadata.json']);
    const meta = JSON.parse(await readFile(join(dir, 'firestore', 'metadata.json'), 'utf8')) as {
      databases: unknown[];
    };
    expect(meta.databases).toHaveLength(2);

    const b = await startTestEmulator({ projectId: 'demo-exp', importDir: dir });
    const db2 = adminClient(b);
    const after = await db2.doc('users/u1').get();
    expect(after.data()).toEqual(before.data());
    expect(after.updateTime?.isEqual(before.updateTime!)).toBe(true);
    expect(after.createTime?.isEqual(before.createTime!)).toBe(true);
    expect((await db2.doc('users/u1/posts/p1').get()).get('title')).toBe('hello');
    expect((await adminClient(b, 'demo-exp-2').doc('misc/m').get()).get('v')).toBe(2);
    await db2.terminate();
    await b.stop();
  });

  it('replaces a previous export atomically and recovers from a crash between renames', async () => {
    const dir = await tempDir();
    const a = await startTestEmulator({ projectId: 'demo-atomic' });
    const db = adminClient(a);
    await db.doc('c/one').set({ v: 1 });
    await a.exportTo(dir);
    await db.doc('c/one').set({ v: 2 });
    await a.exportTo(dir);
    const entries = await readdir(dir);
    expect(entries).toEqual(['firestore']);
    await db.terminate();
    await a.stop();

    // Simulate a crash after the old export was moved aside but before the new one was in place.
    await rename(join(dir, 'firestore'), join(dir, '.firestore.old-deadbeef'));
    const b = await startTestEmulator({ projectId: 'demo-atomic', importDir: dir });
    const db2 = adminClient(b);
    expect((await db2.doc('c/one').get()).get('v')).toBe(2);
    await db2.terminate();
    await b.stop();
  });

  it('starts empty when the import directory has no export yet', async () => {
    const dir = await tempDir();
    const a = await startTestEmulator({ projectId: 'demo-empty', importDir: dir });
    const db = adminClient(a);
    expect((await db.collection('c').get()).size).toBe(0);
    await db.terminate();
    await a.stop();
  });
});

describe('start-up order', { timeout: 30_000 }, () => {
  // The CLI opens every port before any emulator loads its core (openFirestoreEmulator, then
  // load()); a request that arrives in between must wait for the core and the import, never fail
  // or see an empty database.
  it('serves a request sent before load() once the import has finished', async () => {
    const dir = await tempDir();
    const a = await startTestEmulator({ projectId: 'demo-early' });
    const name = 'projects/demo-early/databases/(default)/documents/c/one';
    const owner = { authorization: 'Bearer owner' };
    const w = await fetch(`${a.url}/v1/projects/demo-early/databases/(default)/documents:commit`, {
      method: 'POST',
      headers: owner,
      body: JSON.stringify({ writes: [{ update: { name, fields: { v: { integerValue: '1' } } } }] }),
    });
    expect(w.status).toBe(200);
    await a.exportTo(dir);
    await a.stop();

    const open = await openFirestoreEmulator({ port: 0, projectId: 'demo-early', importDir: dir });
    const base = `http://127.0.0.1:${open.port}`;
    expect((await fetch(`${base}/`)).status).toBe(200);
    const early = fetch(`${base}/v1/${name}`, { headers: owner });
    // Nothing can answer it before load(); give it the chance to go wrong anyway.
    expect(await stillPendingAfter(early)).toBe(true);
    const handle = await open.load();
    try {
      const r = await early;
      expect(r.status).toBe(200);
      expect(((await r.json()) as { fields: unknown }).fields).toEqual({ v: { integerValue: '1' } });
    } finally {
      await handle.stop();
    }
  });

  it('drops waiting requests and frees the port when closed instead of loaded', async () => {
    const open = await openFirestoreEmulator({ port: 0, projectId: 'demo-early' });
    const base = `http://127.0.0.1:${open.port}`;
    const early = fetch(`${base}/v1/projects/demo-early/databases/(default)/documents/c/one`).then(
      (r) => r.status,
      () => 'failed',
    );
    await new Promise((r) => setTimeout(r, 20));
    await open.close();
    expect(await early).toBe('failed');
    await expect(fetch(`${base}/`)).rejects.toThrow();
  });
});
