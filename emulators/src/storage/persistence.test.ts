import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStorageEmulator, startStorageEmulator } from './index.js';
import { stillPendingAfter } from '../test-support/pending.js';

const PROJECT = 'demo-persist';
const BUCKET = `${PROJECT}.appspot.com`;
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'storage-persist-test-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function put(url: string, name: string, body: string, meta: Record<string, unknown>) {
  const b = 'BOUNDARY';
  const res = await fetch(
    `${url}/upload/storage/v1/b/${BUCKET}/o?uploadType=multipart&name=${encodeURIComponent(name)}`,
    {
      method: 'POST',
      headers: { 'Content-Type': `multipart/related; boundary=${b}` },
      body: `--${b}\r\nContent-Type: application/json\r\n\r\n${JSON.stringify(meta)}\r\n--${b}\r\nContent-Type: text/plain\r\n\r\n${body}\r\n--${b}--`,
    },
  );
  expect(res.status).toBe(200);
  return (await res.json()) as Record<string, unknown>;
}

describe('export / import', () => {
  it('round-trips bytes and metadata through exportTo and importDir', async () => {
    const a = await startStorageEmulator({
      projectId: PROJECT,
      log: () => undefined,
    });
    const stored = await put(a.url, 'docs/ä b.txt', 'persist me', {
      contentType: 'text/plain',
      cacheControl: 'no-cache',
      metadata: { k: 'v', firebaseStorageDownloadTokens: 'tok' },
    });
    await put(a.url, 'other.txt', 'second', {});
    await a.exportTo(dir);
    await a.stop();

    const files = await readdir(join(dir, 'storage'));
    expect(files.sort()).toEqual(['blobs', 'buckets.json', 'metadata']);
    expect(JSON.parse(await readFile(join(dir, 'storage', 'buckets.json'), 'utf8'))).toEqual({
      buckets: [{ id: BUCKET }],
    });
    expect(await readdir(join(dir, 'storage', 'blobs'))).toHaveLength(2);
    // No temp folders are left next to the export.
    expect((await readdir(dir)).filter((f) => f.startsWith('.'))).toEqual([]);

    const b = await startStorageEmulator({
      projectId: PROJECT,
      importDir: dir,
      log: () => undefined,
    });
    try {
      const meta = (await (
        await fetch(`${b.url}/b/${BUCKET}/o/${encodeURIComponent('docs/ä b.txt')}`)
      ).json()) as Record<string, unknown>;
      for (const k of [
        'name',
        'size',
        'md5Hash',
        'crc32c',
        'generation',
        'metageneration',
        'contentType',
        'cacheControl',
        'timeCreated',
        'metadata',
      ]) {
        expect(meta[k]).toEqual(stored[k]);
      }
      expect(meta['metadata']).toEqual({
        k: 'v',
        firebaseStorageDownloadTokens: 'tok',
      });
      const media = await fetch(
        `${b.url}/v0/b/${BUCKET}/o/${encodeURIComponent('docs/ä b.txt')}?alt=media&token=tok`,
      );
      expect(await media.text()).toBe('persist me');
      // A second export replaces the first atomically.
      await fetch(`${b.url}/b/${BUCKET}/o/other.txt`, { method: 'DELETE' });
      await b.exportTo(dir);
      expect(await readdir(join(dir, 'storage', 'metadata'))).toHaveLength(1);
    } finally {
      await b.stop();
    }
  });

  it('imports a firebase-tools export (storage_export/ with decimal crc32c)', async () => {
    const ft = await mkdtemp(join(tmpdir(), 'storage-ft-export-'));
    try {
      const root = join(ft, 'storage_export');
      await mkdir(join(root, 'blobs'), { recursive: true });
      await mkdir(join(root, 'metadata'), { recursive: true });
      await writeFile(join(root, 'buckets.json'), JSON.stringify({ buckets: [{ id: BUCKET }] }));
      const id = '3f0c5a8e-0000-4000-8000-000000000001';
      await writeFile(join(root, 'blobs', id), '123456789');
      await writeFile(
        join(root, 'metadata', `${id}.json`),
        JSON.stringify({
          name: 'ft/file.txt',
          bucket: BUCKET,
          metageneration: 1,
          generation: 1700000000000,
          contentType: 'text/plain',
          storageClass: 'STANDARD',
          downloadTokens: ['ft-token'],
          etag: 'x',
          customMetadata: { from: 'firebase-tools' },
          timeCreated: '2024-01-01T00:00:00.000Z',
          updated: '2024-01-01T00:00:00.000Z',
          size: 9,
          md5Hash: 'JfnnlDI7RTiF9RgfG2JNCw==',
          crc32c: String(0xe3069283),
        }),
      );
      const em = await startStorageEmulator({
        projectId: PROJECT,
        importDir: ft,
        log: () => undefined,
      });
      try {
        const meta = (await (await fetch(`${em.url}/b/${BUCKET}/o/ft%2Ffile.txt`)).json()) as Record<
          string,
          unknown
        >;
        expect(meta['crc32c']).toBe('4waSgw==');
        expect(meta['metadata']).toEqual({
          from: 'firebase-tools',
          firebaseStorageDownloadTokens: 'ft-token',
        });
        expect(await (await fetch(`${em.url}/b/${BUCKET}/o/ft%2Ffile.txt?alt=media`)).text()).toBe(
          '123456789',
        );
      } finally {
        await em.stop();
      }
    } finally {
      await rm(ft, { recursive: true, force: true });
    }
  });

  it('imports a firebase-tools export made on Windows: %5C-keyed files, backslashes in names (firebase-tools storage emulator import, windows-emulator-data)', async () => {
    const ft = await mkdtemp(join(tmpdir(), 'storage-ft-windows-'));
    try {
      const root = join(ft, 'storage_export');
      await mkdir(join(root, 'blobs'), { recursive: true });
      await mkdir(join(root, 'metadata'), { recursive: true });
      await writeFile(
        join(ft, 'firebase-export-metadata.json'),
        JSON.stringify({ storage: { path: 'storage_export' } }),
      );
      await writeFile(join(root, 'buckets.json'), JSON.stringify({ buckets: [{ id: BUCKET }] }));
      // What older firebase-tools wrote on Windows: files keyed by path.join(bucket, name).
      const objects = [
        { key: `${BUCKET}%5Ctest_upload.jpg`, name: 'test_upload.jpg', body: 'top' },
        {
          key: `${BUCKET}%5Ctest-directory%5Ctest_nested_upload.jpg`,
          name: 'test-directory\\test_nested_upload.jpg',
          body: 'nested',
        },
      ];
      for (const o of objects) {
        await writeFile(join(root, 'blobs', o.key), o.body);
        await writeFile(
          join(root, 'metadata', `${o.key}.json`),
          JSON.stringify({
            name: o.name,
            bucket: BUCKET,
            contentType: 'application/octet-stream',
            metageneration: 1,
            generation: 1648084940926,
            storageClass: 'STANDARD',
            contentDisposition: 'inline',
            downloadTokens: ['c3c71086-95a8-445d-96e7-f625972de4b0'],
            timeCreated: '2022-03-24T01:22:20.926Z',
            updated: '2022-03-24T01:22:20.926Z',
            size: o.body.length,
            md5Hash: 'x',
            crc32c: '0',
          }),
        );
      }
      const em = await startStorageEmulator({ projectId: PROJECT, importDir: ft, log: () => undefined });
      try {
        const get = (name: string) =>
          fetch(`${em.url}/v0/b/${BUCKET}/o/${encodeURIComponent(name)}?alt=media`, {
            headers: { Authorization: 'Bearer owner' },
          });
        expect(await (await get('test_upload.jpg')).text()).toBe('top');
        const nested = await get('test-directory/test_nested_upload.jpg');
        expect(nested.status).toBe(200);
        expect(await nested.text()).toBe('nested');
      } finally {
        await em.stop();
      }
    } finally {
      await rm(ft, { recursive: true, force: true });
    }
  });

  it('imports an export that has buckets.json but no blobs/ or metadata/ (firebase-tools storage emulator import, missing-blobs-and-metadata)', async () => {
    const ft = await mkdtemp(join(tmpdir(), 'storage-ft-empty-'));
    try {
      await mkdir(join(ft, 'storage_export'), { recursive: true });
      await writeFile(
        join(ft, 'storage_export', 'buckets.json'),
        JSON.stringify({ buckets: [{ id: 'seeded-bucket.appspot.com' }] }),
      );
      const em = await startStorageEmulator({ projectId: PROJECT, importDir: ft, log: () => undefined });
      try {
        const buckets = (await (await fetch(`${em.url}/b`)).json()) as { items: Array<{ id: string }> };
        expect(buckets.items.map((b) => b.id)).toContain('seeded-bucket.appspot.com');
      } finally {
        await em.stop();
      }
    } finally {
      await rm(ft, { recursive: true, force: true });
    }
  });

  it('POST /internal/reset drops every object', async () => {
    const em = await startStorageEmulator({
      projectId: PROJECT,
      log: () => undefined,
    });
    try {
      await put(em.url, 'r1.txt', 'one', {});
      await put(em.url, 'dir/r2.txt', 'two', {});
      expect((await fetch(`${em.url}/internal/reset`, { method: 'POST' })).status).toBe(200);
      const listed = (await (await fetch(`${em.url}/b/${BUCKET}/o`)).json()) as { items: unknown[] };
      expect(listed.items).toEqual([]);
      expect((await fetch(`${em.url}/b/${BUCKET}/o/r1.txt`)).status).toBe(404);
    } finally {
      await em.stop();
    }
  });

  it('keeps object bytes on disk in the data dir and removes its own temp dir on stop', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'storage-data-test-'));
    const em = await startStorageEmulator({
      projectId: PROJECT,
      dataDir,
      log: () => undefined,
    });
    await put(em.url, 'disk.txt', 'on disk', {});
    const blobs = await readdir(join(dataDir, 'blobs'));
    expect(blobs).toHaveLength(1);
    expect(await readFile(join(dataDir, 'blobs', blobs[0]!), 'utf8')).toBe('on disk');
    await em.stop();
    // A caller-provided data dir is left alone.
    expect(existsSync(dataDir)).toBe(true);
    await rm(dataDir, { recursive: true, force: true });
  });
});

describe('start-up order', () => {
  // The port answers GET / before the rules engine and the import are loaded; a request that
  // arrives in that window must wait for them rather than see an empty store (our choice, so
  // that "ready" on GET / never means "ready but missing data").
  it('serves a request sent right after GET / answers with the imported objects', async () => {
    const source = await startStorageEmulator({ projectId: PROJECT, log: () => undefined });
    const exportDir = await mkdtemp(join(tmpdir(), 'storage-early-'));
    try {
      await put(source.url, 'early/one.txt', 'imported before first request', { contentType: 'text/plain' });
      await source.exportTo(exportDir);
    } finally {
      await source.stop();
    }

    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));

    const starting = startStorageEmulator({
      projectId: PROJECT,
      port,
      importDir: exportDir,
      log: () => undefined,
    });
    const base = `http://127.0.0.1:${port}`;
    for (;;) {
      const up = await fetch(`${base}/`).then(
        (r) => r.status === 200,
        () => false,
      );
      if (up) break;
      await new Promise((r) => setTimeout(r, 1));
    }
    const early = await fetch(`${base}/b/${BUCKET}/o/${encodeURIComponent('early/one.txt')}?alt=media`);
    const handle = await starting;
    try {
      expect(early.status).toBe(200);
      expect(await early.text()).toBe('imported before first request');
    } finally {
      await handle.stop();
      await rm(exportDir, { recursive: true, force: true });
    }
  });

  it('serves a request sent before load() once load() has imported the objects', async () => {
    const source = await startStorageEmulator({ projectId: PROJECT, log: () => undefined });
    const exportDir = await mkdtemp(join(tmpdir(), 'storage-early-'));
    try {
      await put(source.url, 'early/two.txt', 'waited for load', { contentType: 'text/plain' });
      await source.exportTo(exportDir);
    } finally {
      await source.stop();
    }

    const open = await openStorageEmulator({
      projectId: PROJECT,
      importDir: exportDir,
      log: () => undefined,
    });
    const base = `http://127.0.0.1:${open.port}`;
    expect((await fetch(`${base}/`)).status).toBe(200);
    const url = `${base}/b/${BUCKET}/o/${encodeURIComponent('early/two.txt')}?alt=media`;
    const early = fetch(url);
    // Nothing can answer it before load(); give it the chance to go wrong anyway.
    expect(await stillPendingAfter(early)).toBe(true);
    const handle = await open.load();
    try {
      const r = await early;
      expect(r.status).toBe(200);
      expect(await r.text()).toBe('waited for load');
    } finally {
      await handle.stop();
      await rm(exportDir, { recursive: true, force: true });
    }
  });

  it('answers waiting requests 503 and frees the port when closed instead of loaded', async () => {
    const open = await openStorageEmulator({ projectId: PROJECT, log: () => undefined });
    const base = `http://127.0.0.1:${open.port}`;
    const early = fetch(`${base}/b/${BUCKET}/o`);
    await new Promise((r) => setTimeout(r, 20));
    await open.close();
    expect((await early).status).toBe(503);
    await expect(fetch(`${base}/`)).rejects.toThrow();
  });
});
