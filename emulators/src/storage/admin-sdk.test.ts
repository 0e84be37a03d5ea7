import { createHash, randomBytes } from 'node:crypto';
import { deleteApp, initializeApp } from 'firebase-admin/app';
import { getDownloadURL, getStorage } from 'firebase-admin/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crc32c, crc32cToBase64 } from './crc32c.js';
import { type StorageEmulatorHandle, startStorageEmulator } from './index.js';

// @google-cloud/storage through firebase-admin with STORAGE_EMULATOR_HOST: the GCS JSON API
// path, privileged (no Authorization header), so no rules are loaded here on purpose.
const PROJECT = 'demo-admin-sdk';
let em: StorageEmulatorHandle;
let app: ReturnType<typeof initializeApp>;
const bucket = () => getStorage(app).bucket();

beforeAll(async () => {
  em = await startStorageEmulator({ projectId: PROJECT, log: () => undefined });
  process.env['STORAGE_EMULATOR_HOST'] = `http://127.0.0.1:${em.port}`;
  app = initializeApp({ projectId: PROJECT, storageBucket: `${PROJECT}.appspot.com` }, 'admin-sdk-test');
});

afterAll(async () => {
  await deleteApp(app);
  await em.stop();
});

const md5 = (b: Buffer) => createHash('md5').update(b).digest('base64');

describe('@google-cloud/storage via firebase-admin', () => {
  it('saves with a multipart upload and reports correct md5Hash and crc32c', async () => {
    const data = Buffer.from('hello admin');
    const file = bucket().file('docs/hello.txt');
    await file.save(data, {
      resumable: false,
      contentType: 'text/plain',
      metadata: { metadata: { a: '1' } },
    });
    const [meta] = await file.getMetadata();
    expect(meta.size).toBe(String(data.length));
    expect(meta.md5Hash).toBe(md5(data));
    expect(meta.crc32c).toBe(crc32cToBase64(crc32c(data)));
    expect(meta.contentType).toBe('text/plain');
    expect(meta.metadata).toEqual({ a: '1' });
    expect(meta.kind).toBe('storage#object');
    expect(meta.bucket).toBe(`${PROJECT}.appspot.com`);
    const [back] = await file.download();
    expect(back.toString()).toBe('hello admin');
  });

  it('saves a 5 MB object with a resumable upload and downloads it with hash validation', async () => {
    const data = randomBytes(5 * 1024 * 1024 + 3);
    const file = bucket().file('big/blob.bin');
    await file.save(data, {
      resumable: true,
      contentType: 'application/octet-stream',
    });
    const [meta] = await file.getMetadata();
    expect(Number(meta.size)).toBe(data.length);
    expect(meta.md5Hash).toBe(md5(data));
    const [back] = await file.download({ validation: 'crc32c' });
    expect(back.equals(data)).toBe(true);
    const [part] = await file.download({ start: 10, end: 19 });
    expect(part.equals(data.subarray(10, 20))).toBe(true);
  });

  it('streams through createWriteStream (resumable and not)', async () => {
    for (const resumable of [true, false]) {
      const data = randomBytes(300_000);
      const file = bucket().file(`streams/${resumable ? 'r' : 'm'}.bin`);
      await new Promise<void>((resolve, reject) => {
        const ws = file.createWriteStream({
          resumable,
          contentType: 'application/x-test',
        });
        ws.on('error', reject).on('finish', resolve);
        ws.end(data);
      });
      const [back] = await file.download();
      expect(back.equals(data)).toBe(true);
      const [meta] = await file.getMetadata();
      expect(meta.contentType).toBe('application/x-test');
    }
  });

  it('exists / delete / 404', async () => {
    const file = bucket().file('tmp/gone.txt');
    await file.save('x', { resumable: false });
    expect((await file.exists())[0]).toBe(true);
    await file.delete();
    expect((await file.exists())[0]).toBe(false);
    await expect(file.delete()).rejects.toMatchObject({ code: 404 });
    await expect(file.download()).rejects.toMatchObject({ code: 404 });
  });

  it('setMetadata merges custom metadata, removes null keys and bumps metageneration', async () => {
    const file = bucket().file('meta/m.txt');
    await file.save('m', {
      resumable: false,
      metadata: { metadata: { keep: 'k', drop: 'd' } },
    });
    const [updated] = await file.setMetadata({
      cacheControl: 'no-store',
      metadata: { drop: null, add: 'a' },
    });
    expect(updated.metageneration).toBe('2');
    expect(updated.cacheControl).toBe('no-store');
    expect(updated.metadata).toEqual({ keep: 'k', add: 'a' });
  });

  it('copies and moves objects', async () => {
    const src = bucket().file('copy/src.txt');
    await src.save('copy me', { resumable: false, contentType: 'text/plain' });
    await src.copy(bucket().file('copy/dst.txt'));
    const [copied] = await bucket().file('copy/dst.txt').download();
    expect(copied.toString()).toBe('copy me');
    const [copiedMeta] = await bucket().file('copy/dst.txt').getMetadata();
    expect(copiedMeta.contentType).toBe('text/plain');
    await src.move('copy/moved.txt');
    expect((await src.exists())[0]).toBe(false);
    expect((await bucket().file('copy/moved.txt').download())[0].toString()).toBe('copy me');
  });

  it('lists with prefix, delimiter and paging', async () => {
    for (const n of ['list/a.txt', 'list/b.txt', 'list/sub/c.txt', 'list/sub/d.txt', 'list/z/e.txt']) {
      await bucket().file(n).save(n, { resumable: false });
    }
    const [files, , apiResponse] = await bucket().getFiles({
      prefix: 'list/',
      delimiter: '/',
      autoPaginate: false,
    });
    expect(files.map((f) => f.name)).toEqual(['list/a.txt', 'list/b.txt']);
    expect((apiResponse as { prefixes?: string[] }).prefixes).toEqual(['list/sub/', 'list/z/']);
    const [all] = await bucket().getFiles({ prefix: 'list/' });
    expect(all.map((f) => f.name)).toEqual([
      'list/a.txt',
      'list/b.txt',
      'list/sub/c.txt',
      'list/sub/d.txt',
      'list/z/e.txt',
    ]);
    const [page1, next] = await bucket().getFiles({
      prefix: 'list/',
      maxResults: 2,
      autoPaginate: false,
    });
    expect(page1.map((f) => f.name)).toEqual(['list/a.txt', 'list/b.txt']);
    expect(next).toBeTruthy();
    const [page2] = await bucket().getFiles({
      ...(next as object),
      autoPaginate: false,
    });
    expect(page2.map((f) => f.name)).toEqual(['list/sub/c.txt', 'list/sub/d.txt']);
  });

  it('getDownloadURL returns a token URL that serves the bytes without auth', async () => {
    const file = bucket().file('public/dl.txt');
    await file.save('download me', { resumable: false });
    const url = await getDownloadURL(file);
    expect(url).toMatch(
      new RegExp(
        `^http://127\\.0\\.0\\.1:${em.port}/v0/b/${PROJECT}\\.appspot\\.com/o/public%2Fdl\\.txt\\?alt=media&token=[0-9a-f-]{36}$`,
      ),
    );
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('download me');
  });
});
