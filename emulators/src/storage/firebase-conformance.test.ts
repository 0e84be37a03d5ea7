/**
 * The Firebase Storage `/v0` API as the web SDK and Google's upload protocol use it: resumable
 * commands, listing around names that are not Firebase paths, and object metadata. Each test names
 * the behaviour it follows (Firebase Storage REST / Google's resumable upload protocol / GCS naming).
 */
import { getMetadata, listAll, ref } from 'firebase/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StorageEmulatorHandle, startStorageEmulator } from './index.js';
import { type WebClient, webClient } from './test-clients.js';

const PROJECT = 'demo-firebase-conformance';
const BUCKET = `${PROJECT}.appspot.com`;
let em: StorageEmulatorHandle;
let user: WebClient;

beforeAll(async () => {
  em = await startStorageEmulator({
    projectId: PROJECT,
    rules: `rules_version = '2';
service firebase.storage { match /b/{bucket}/o { match /{all=**} { allow read, write: if request.auth != null; } } }`,
    log: () => undefined,
  });
  user = webClient(em, PROJECT, 'u1');
});

afterAll(async () => {
  await user.close();
  await em.stop();
});

const OWNER = { Authorization: 'Bearer owner' };
const v0 = (q = '') => `${em.url}/v0/b/${BUCKET}/o${q}`;

async function start(name: string): Promise<string> {
  const res = await fetch(v0(`?name=${encodeURIComponent(name)}`), {
    method: 'POST',
    headers: { ...OWNER, 'X-Goog-Upload-Protocol': 'resumable', 'X-Goog-Upload-Command': 'start' },
    body: '{}',
  });
  expect(res.status).toBe(200);
  return res.headers.get('x-goog-upload-url')!;
}

const command = (url: string, cmd: string, body?: string, extra: Record<string, string> = {}) =>
  fetch(url, {
    method: 'PUT',
    headers: { 'X-Goog-Upload-Protocol': 'resumable', 'X-Goog-Upload-Command': cmd, ...extra },
    ...(body === undefined ? {} : { body }),
  });

/** Objects written through the GCS API, which accepts any valid object name. */
async function gcsPut(name: string, body = ''): Promise<void> {
  const res = await fetch(
    `${em.url}/upload/storage/v1/b/${BUCKET}/o?uploadType=media&name=${encodeURIComponent(name)}`,
    { method: 'POST', body },
  );
  expect(res.status).toBe(200);
}

describe('resumable uploads (Google resumable upload protocol, X-Goog-Upload-Command)', () => {
  it('a finalize request that carries a body answers 200 with status final; the body is not data (Google upload protocol: finalize)', async () => {
    const empty = await start('resumable/empty.bin');
    const fin = await command(empty, 'finalize', '{}', { 'Content-Type': 'application/json' });
    expect(fin.status).toBe(200);
    expect(fin.headers.get('x-goog-upload-status')).toBe('final');
    const withData = await start('resumable/data.bin');
    expect((await command(withData, 'upload', 'hello ', { 'X-Goog-Upload-Offset': '0' })).status).toBe(200);
    const fin2 = await command(withData, 'finalize', '{}');
    expect(fin2.status).toBe(200);
    expect(((await fin2.json()) as { size: string }).size).toBe('6');
    // `upload, finalize` with an empty final chunk finishes too.
    const last = await start('resumable/last.bin');
    expect((await command(last, 'upload', 'abc', { 'X-Goog-Upload-Offset': '0' })).status).toBe(200);
    const fin3 = await command(last, 'upload, finalize', '', { 'X-Goog-Upload-Offset': '3' });
    expect(fin3.status).toBe(200);
    expect(fin3.headers.get('x-goog-upload-status')).toBe('final');
  });

  it('cancelling an already cancelled upload answers 200; a finalized one cannot be cancelled (Google upload protocol: cancel)', async () => {
    const url = await start('resumable/cancel.bin');
    expect((await command(url, 'cancel')).status).toBe(200);
    const again = await command(url, 'cancel');
    expect(again.status).toBe(200);
    expect(again.headers.get('x-goog-upload-status')).toBe('cancelled');
    expect((await command(url, 'finalize')).status).toBe(400);
    expect((await command(url, 'query')).headers.get('x-goog-upload-status')).toBe('cancelled');
    const done = await start('resumable/done.bin');
    expect((await command(done, 'upload, finalize', 'x', { 'X-Goog-Upload-Offset': '0' })).status).toBe(200);
    expect((await command(done, 'cancel')).status).toBe(400);
  });
});

describe('object names with empty segments (GCS naming: cloud.google.com/storage/docs/objects#naming)', () => {
  it('accepts a//b and folder placeholders on both APIs (GCS naming rules)', async () => {
    await gcsPut('names/a//b', 'ab');
    await gcsPut('names/folder/');
    expect(
      await fetch(`${em.url}/b/${BUCKET}/o/${encodeURIComponent('names/a//b')}?alt=media`).then((r) =>
        r.text(),
      ),
    ).toBe('ab');
    const v0Upload = await fetch(v0(`?name=${encodeURIComponent('names/x//y')}`), {
      method: 'POST',
      headers: OWNER,
      body: 'xy',
    });
    expect(v0Upload.status).toBe(200);
    const read = await fetch(v0(`/${encodeURIComponent('names/x//y')}?alt=media`), { headers: OWNER });
    expect(await read.text()).toBe('xy');
  });

  it('listAll leaves a folder placeholder out of its own folder and skips prefixes and items that are not Firebase paths (Firebase list API, web SDK listAll)', async () => {
    await gcsPut('listAll/abc/');
    await gcsPut('listAll//foo');
    await gcsPut('listAll/bar//');
    await gcsPut('listAll/baz//qux');
    await gcsPut('listAll/item1', 'i');
    const top = await listAll(ref(user.storage, 'listAll/'));
    expect(top.items.map((i) => i.name)).toEqual(['item1']);
    expect(top.prefixes.map((p) => p.name)).toEqual(['abc', 'bar', 'baz']);
    const inside = await listAll(ref(user.storage, 'listAll/abc/'));
    expect(inside.items).toEqual([]);
    expect(inside.prefixes).toEqual([]);
  });
});

describe('object metadata (Firebase Storage REST: /v0 object resource)', () => {
  it('has no contentDisposition when none was set; Firebase uploads are stored inline (Firebase Storage REST metadata)', async () => {
    await gcsPut('meta/from-gcs.txt', 'g');
    const viaSdk = await getMetadata(ref(user.storage, 'meta/from-gcs.txt'));
    // The SDK keeps absent fields as undefined; serialized (as a page would pass it on) the key is gone.
    expect(viaSdk.contentDisposition).toBeUndefined();
    expect(JSON.parse(JSON.stringify(viaSdk))).not.toHaveProperty('contentDisposition');
    expect(viaSdk.contentEncoding).toBe('identity');
    const raw = (await (
      await fetch(v0(`/${encodeURIComponent('meta/from-gcs.txt')}`), { headers: OWNER })
    ).json()) as Record<string, unknown>;
    expect(raw).not.toHaveProperty('contentDisposition');
    // A /v0 upload without a disposition is stored `inline`, as Google's service answers.
    const up = await fetch(v0('?name=meta%2Fv0.txt'), { method: 'POST', headers: OWNER, body: 'v' });
    expect(((await up.json()) as { contentDisposition: string }).contentDisposition).toBe('inline');
    const gcsView = (await (
      await fetch(`${em.url}/b/${BUCKET}/o/${encodeURIComponent('meta/v0.txt')}`)
    ).json()) as {
      contentDisposition?: string;
    };
    expect(gcsView.contentDisposition).toBe('inline');
  });

  it("the first /v0 metadata read of an object without a download token writes one: metageneration 1 -> 2, later reads keep it (Firebase Storage's metadata-get handler per firebase/firebase-tools#4278; GCS: a metadata update increments metageneration)", async () => {
    await gcsPut('meta/token.txt', 't');
    const gcsMeta = async () =>
      (await (await fetch(`${em.url}/b/${BUCKET}/o/${encodeURIComponent('meta/token.txt')}`)).json()) as {
        metageneration: string;
        metadata?: Record<string, string>;
      };
    expect((await gcsMeta()).metageneration).toBe('1');
    const read = async () =>
      (await (await fetch(v0(`/${encodeURIComponent('meta/token.txt')}`), { headers: OWNER })).json()) as {
        metageneration: string;
        downloadTokens: string;
      };
    const first = await read();
    expect(first.metageneration).toBe('2');
    expect(first.downloadTokens).toMatch(/^[0-9a-f-]{36}$/);
    expect((await gcsMeta()).metadata?.['firebaseStorageDownloadTokens']).toBe(first.downloadTokens);
    const again = await read();
    expect(again).toMatchObject({ metageneration: '2', downloadTokens: first.downloadTokens });
  });
});
