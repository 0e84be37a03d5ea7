/**
 * The GCS JSON API as documented (https://cloud.google.com/storage/docs/json_api) and as
 * @google-cloud/storage uses it through firebase-admin: copy/rewrite metadata, ACL answers,
 * decompressive transcoding, multipart errors, POST Object forms and request preconditions.
 * Each test names the documentation it follows.
 */
import { request } from 'node:http';
import { gunzipSync } from 'node:zlib';
import { deleteApp, initializeApp } from 'firebase-admin/app';
import { getStorage } from 'firebase-admin/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StorageEmulatorHandle, startStorageEmulator } from './index.js';

const PROJECT = 'demo-gcs-conformance';
const BUCKET = `${PROJECT}.appspot.com`;
let em: StorageEmulatorHandle;
let app: ReturnType<typeof initializeApp>;
const bucket = () => getStorage(app).bucket();

beforeAll(async () => {
  em = await startStorageEmulator({
    projectId: PROJECT,
    rules: `rules_version = '2';
service firebase.storage { match /b/{bucket}/o { match /{all=**} { allow read, write: if true; } } }`,
    log: () => undefined,
  });
  process.env['STORAGE_EMULATOR_HOST'] = `http://127.0.0.1:${em.port}`;
  app = initializeApp({ projectId: PROJECT, storageBucket: BUCKET }, 'gcs-conformance-test');
});

afterAll(async () => {
  await deleteApp(app);
  await em.stop();
});

const o = (name: string) => `${em.url}/storage/v1/b/${BUCKET}/o/${encodeURIComponent(name)}`;

/** A raw GET (fetch would add Accept-Encoding and decompress): status, headers and body bytes. */
function rawGet(
  url: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

async function media(name: string, body: string, query = ''): Promise<Response> {
  return fetch(
    `${em.url}/upload/storage/v1/b/${BUCKET}/o?uploadType=media&name=${encodeURIComponent(name)}${query}`,
    {
      method: 'POST',
      headers: { 'Content-Type': 'text/plain' },
      body,
    },
  );
}

async function meta(name: string): Promise<Record<string, string>> {
  const res = await fetch(o(name));
  expect(res.status).toBe(200);
  return (await res.json()) as Record<string, string>;
}

async function expectConditionNotMet(res: Response): Promise<void> {
  expect(res.status).toBe(412);
  const body = (await res.json()) as { error: { code: number; errors: Array<{ reason: string }> } };
  expect(body.error.code).toBe(412);
  expect(body.error.errors[0]?.reason).toBe('conditionNotMet');
}

describe('copy and rewrite (GCS JSON API: objects.copy / objects.rewrite request body)', () => {
  it('metadata in the body replaces the custom metadata, null values become "" and the source download tokens are dropped; without metadata both are copied (GCS JSON API: objects.rewrite / objects.copy)', async () => {
    const src = bucket().file('copy/src.txt');
    await src.save('copy me', {
      resumable: false,
      metadata: {
        contentType: 'text/plain',
        cacheControl: 'private,no-store',
        metadata: { hello: 'world', firebaseStorageDownloadTokens: 'token1,token2' },
      },
    });
    const [source] = await src.getMetadata();
    const dst = bucket().file('copy/dst.txt');
    const [, resp] = await src.copy(dst, {
      metadata: { foo: 'bar', nullMetadata: null },
      cacheControl: 'private,max-age=10',
    } as never);
    const resource = (resp as { resource: Record<string, unknown> }).resource;
    expect(resource['metadata']).toEqual({ foo: 'bar', nullMetadata: '' });
    expect(resource['cacheControl']).toBe('private,max-age=10');
    expect(resource['contentType']).toBe('text/plain');
    expect(resource['crc32c']).toBe(source.crc32c);
    const [again] = await dst.getMetadata();
    expect(again.metadata).toEqual({ foo: 'bar', nullMetadata: '' });
    // Without metadata in the body, custom metadata and download tokens are copied.
    const [, plain] = await src.copy(bucket().file('copy/keep-dst.txt'));
    expect((plain as { resource: { metadata: unknown } }).resource.metadata).toEqual({
      hello: 'world',
      firebaseStorageDownloadTokens: 'token1,token2',
    });
  });
});

describe('ACLs (GCS JSON API: objectAccessControls resource)', () => {
  it('makePublic answers with a storage#objectAccessControl resource (GCS JSON API: objectAccessControls.insert)', async () => {
    const file = bucket().file('a/b');
    await file.save('public', { resumable: false });
    const [acl] = (await file.makePublic()) as unknown as [Record<string, unknown>];
    const generation = acl['generation'];
    expect(acl['kind']).toBe('storage#objectAccessControl');
    expect(acl['object']).toBe('a/b');
    expect(acl['bucket']).toBe(BUCKET);
    expect(acl['entity']).toBe('allUsers');
    expect(acl['role']).toBe('READER');
    expect(acl['id']).toBe(`${BUCKET}/a/b/${String(generation)}/allUsers`);
    expect(acl['selfLink']).toBe(`${em.url}/storage/v1/b/${BUCKET}/o/a%2Fb/acl/allUsers`);
    expect(typeof acl['etag']).toBe('string');
    // The public URL still serves the bytes.
    const pub = await fetch(`${em.url}/${BUCKET}/a/b`);
    expect(await pub.text()).toBe('public');
  });
});

describe('gzip (Cloud Storage: decompressive transcoding, cloud.google.com/storage/docs/transcoding)', () => {
  const contents = Buffer.from('hello world, hello world, hello world');

  beforeAll(async () => {
    await bucket()
      .file('gz/file.txt')
      .save(contents, { gzip: true, contentType: 'text/plain', resumable: false });
  });

  it('serves a gzip-encoded object decompressed unless the request accepts gzip, on the GCS API (Cloud Storage transcoding)', async () => {
    const url = `${em.url}/download/storage/v1/b/${BUCKET}/o/${encodeURIComponent('gz/file.txt')}?alt=media`;
    const plain = await rawGet(url);
    expect(plain.status).toBe(200);
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.headers['content-length']).toBeUndefined();
    expect(plain.headers['content-type']).toBe('text/plain');
    expect(plain.headers['x-goog-stored-content-encoding']).toBe('gzip');
    expect(plain.body.equals(contents)).toBe(true);
    const gz = await rawGet(url, { 'Accept-Encoding': 'gzip' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gz.body.equals(contents)).toBe(false);
    expect(gunzipSync(gz.body).equals(contents)).toBe(true);
    // @google-cloud/storage asks for gzip and decompresses itself, or not with decompress: false.
    const [viaSdk] = await bucket().file('gz/file.txt').download();
    expect(viaSdk.equals(contents)).toBe(true);
    const [raw] = await bucket().file('gz/file.txt').download({ decompress: false });
    expect(gunzipSync(raw).equals(contents)).toBe(true);
  });

  it('serves a gzip-encoded object decompressed unless the request accepts gzip, on the Firebase API (Cloud Storage transcoding)', async () => {
    const url = `${em.url}/v0/b/${BUCKET}/o/${encodeURIComponent('gz/file.txt')}?alt=media`;
    const plain = await rawGet(url, { Authorization: 'Bearer owner' });
    expect(plain.headers['content-encoding']).toBeUndefined();
    expect(plain.body.equals(contents)).toBe(true);
    const gz = await rawGet(url, { Authorization: 'Bearer owner', 'Accept-Encoding': 'gzip, deflate' });
    expect(gz.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(gz.body).equals(contents)).toBe(true);
    // `q=0` refuses gzip; Cache-Control: no-transform keeps the stored encoding.
    const refused = await rawGet(url, { Authorization: 'Bearer owner', 'Accept-Encoding': 'gzip;q=0' });
    expect(refused.body.equals(contents)).toBe(true);
    await bucket().file('gz/file.txt').setMetadata({ cacheControl: 'no-transform' });
    const kept = await rawGet(url, { Authorization: 'Bearer owner' });
    expect(kept.headers['content-encoding']).toBe('gzip');
    expect(gunzipSync(kept.body).equals(contents)).toBe(true);
  });
});

describe('multipart uploads (Google Storage emulator errors)', () => {
  it('a multipart upload with a bad Content-Type answers 400 "Bad content type." on both APIs (firebase-tools storage emulator multipart parser)', async () => {
    const gcs = await fetch(`${em.url}/upload/storage/v1/b/${BUCKET}/o?name=x.txt`, {
      method: 'POST',
      headers: { 'Content-Type': 'foo', 'X-Goog-Upload-Protocol': 'multipart' },
      body: 'whatever',
    });
    expect(gcs.status).toBe(400);
    expect(await gcs.text()).toContain('Bad content type.');
    const v0 = await fetch(`${em.url}/v0/b/${BUCKET}/o/?name=x.txt`, {
      method: 'POST',
      headers: {
        'Content-Type': 'foo',
        'X-Goog-Upload-Protocol': 'multipart',
        Authorization: 'Bearer owner',
      },
    });
    expect(v0.status).toBe(400);
    expect(await v0.text()).toContain('Bad content type.');
  });
});

describe('POST Object forms (XML API: POST Object, cloud.google.com/storage/docs/xml-api/post-object-forms)', () => {
  const form = (fields: Array<[string, string]>, file: string, boundary = 'signed-post-policy-boundary') =>
    Buffer.from(
      [
        ...fields.map(
          ([k, v]) => `--${boundary}\r\nContent-Disposition: form-data; name="${k}"\r\n\r\n${v}\r\n`,
        ),
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="photo.txt"\r\nContent-Type: text/plain\r\n\r\n${file}\r\n--${boundary}--\r\n`,
      ].join(''),
    );

  it('a signed POST policy form stores the file under key with its metadata and answers 204 (XML API: POST Object)', async () => {
    const res = await fetch(`${em.url}/${BUCKET}`, {
      method: 'POST',
      headers: { 'Content-Type': 'multipart/form-data; boundary=signed-post-policy-boundary' },
      body: form(
        [
          ['key', 'forms/testFile'],
          ['Content-Type', 'text/plain'],
          ['Cache-Control', 'public, max-age=60'],
          ['Content-Disposition', 'inline'],
          ['x-goog-meta-color', 'blue'],
          ['policy', 'eyJjb25kaXRpb25zIjpbXX0='],
          ['x-goog-signature', 'abcd'],
        ],
        'hello world',
      ),
    });
    expect(res.status).toBe(204);
    const m = await meta('forms/testFile');
    expect(m['contentType']).toBe('text/plain');
    expect(m['cacheControl']).toBe('public, max-age=60');
    expect(m['contentDisposition']).toBe('inline');
    expect(m['metadata']).toEqual({ color: 'blue' });
    expect(await (await fetch(`${o('forms/testFile')}?alt=media`)).text()).toBe('hello world');
  });

  it('key may use ${filename}; success_action_status 201 answers the XML PostResponse; no key is 400 (XML API: POST Object)', async () => {
    const res = await fetch(`${em.url}/${BUCKET}/`, {
      method: 'POST',
      headers: { 'Content-Type': 'multipart/form-data; boundary=b2' },
      body: form(
        [
          ['key', 'forms/${filename}'],
          ['success_action_status', '201'],
        ],
        'named',
        'b2',
      ),
    });
    expect(res.status).toBe(201);
    expect(await res.text()).toContain('<Key>forms/photo.txt</Key>');
    expect(await (await fetch(`${o('forms/photo.txt')}?alt=media`)).text()).toBe('named');
    const noKey = await fetch(`${em.url}/${BUCKET}`, {
      method: 'POST',
      headers: { 'Content-Type': 'multipart/form-data; boundary=b3' },
      body: form([], 'x', 'b3'),
    });
    expect(noKey.status).toBe(400);
  });
});

describe('preconditions (GCS JSON API: request preconditions, ifGenerationMatch & co.)', () => {
  it('PATCH honours ifMetagenerationMatch and ifMetagenerationNotMatch: 412 conditionNotMet when they do not hold (GCS JSON API: objects.patch ifMetagenerationMatch)', async () => {
    expect((await media('pre/patch.txt', 'p')).status).toBe(200);
    const patch = (q: string) =>
      fetch(`${o('pre/patch.txt')}?${q}`, {
        method: 'PATCH',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ metadata: { n: q } }),
      });
    await expectConditionNotMet(await patch('ifMetagenerationMatch=2'));
    expect((await meta('pre/patch.txt'))['metageneration']).toBe('1');
    expect((await patch('ifMetagenerationMatch=1')).status).toBe(200);
    await expectConditionNotMet(await patch('ifMetagenerationNotMatch=2'));
    expect((await patch('ifMetagenerationNotMatch=1')).status).toBe(200);
    const m = await meta('pre/patch.txt');
    expect(m['metageneration']).toBe('3');
    await expectConditionNotMet(await patch(`ifGenerationMatch=${Number(m['generation']) + 1}`));
    expect((await patch(`ifGenerationMatch=${m['generation']}`)).status).toBe(200);
    // Through @google-cloud/storage as well.
    await expect(
      bucket().file('pre/patch.txt').setMetadata({ cacheControl: 'no-cache' }, { ifMetagenerationMatch: 1 }),
    ).rejects.toMatchObject({ code: 412 });
  });

  it('DELETE honours ifGenerationMatch / ifGenerationNotMatch; a missing object stays 404 (GCS JSON API: objects.delete ifGenerationMatch)', async () => {
    expect((await media('pre/delete.txt', 'd')).status).toBe(200);
    const gen = (await meta('pre/delete.txt'))['generation']!;
    const del = (q: string) => fetch(`${o('pre/delete.txt')}?${q}`, { method: 'DELETE' });
    await expectConditionNotMet(await del(`ifGenerationMatch=${Number(gen) - 1}`));
    await expectConditionNotMet(await del(`ifGenerationNotMatch=${gen}`));
    await expectConditionNotMet(await del('ifMetagenerationMatch=7'));
    expect((await fetch(o('pre/delete.txt'))).status).toBe(200);
    expect((await del(`ifGenerationMatch=${gen}`)).status).toBe(204);
    expect((await del(`ifGenerationMatch=${gen}`)).status).toBe(404);
  });

  it('GET (metadata and media) answers 412 for a failed …Match and 304 for a failed …NotMatch (GCS JSON API: objects.get ifGenerationMatch, request preconditions)', async () => {
    expect((await media('pre/get.txt', 'g')).status).toBe(200);
    const gen = (await meta('pre/get.txt'))['generation']!;
    await expectConditionNotMet(await fetch(`${o('pre/get.txt')}?ifGenerationMatch=1`));
    await expectConditionNotMet(await fetch(`${o('pre/get.txt')}?alt=media&ifMetagenerationMatch=2`));
    expect((await fetch(`${o('pre/get.txt')}?alt=media&ifGenerationMatch=${gen}`)).status).toBe(200);
    const notModified = await fetch(`${o('pre/get.txt')}?alt=media&ifGenerationNotMatch=${gen}`);
    expect(notModified.status).toBe(304);
    expect((await fetch(`${o('pre/get.txt')}?ifMetagenerationNotMatch=1`)).status).toBe(304);
    expect((await fetch(`${o('pre/get.txt')}?ifMetagenerationNotMatch=2`)).status).toBe(200);
    expect((await fetch(`${o('pre/get.txt')}?ifGenerationMatch=abc`)).status).toBe(400);
  });

  it('uploads honour ifGenerationMatch=0 ("must not exist") and the other conditions, for media, multipart and resumable uploads (GCS JSON API: objects.insert ifGenerationMatch)', async () => {
    expect((await media('pre/new.txt', 'first', '&ifGenerationMatch=0')).status).toBe(200);
    await expectConditionNotMet(await media('pre/new.txt', 'second', '&ifGenerationMatch=0'));
    await expectConditionNotMet(await media('pre/absent.txt', 'x', '&ifGenerationNotMatch=0'));
    await expectConditionNotMet(await media('pre/absent.txt', 'x', '&ifMetagenerationMatch=1'));
    expect((await fetch(o('pre/absent.txt'))).status).toBe(404);
    const gen = (await meta('pre/new.txt'))['generation']!;
    expect((await media('pre/new.txt', 'third', `&ifGenerationMatch=${gen}`)).status).toBe(200);
    expect(await (await fetch(`${o('pre/new.txt')}?alt=media`)).text()).toBe('third');
    // @google-cloud/storage: multipart and resumable saves with preconditionOpts.
    await expect(
      bucket()
        .file('pre/new.txt')
        .save('sdk', { resumable: false, preconditionOpts: { ifGenerationMatch: 0 } }),
    ).rejects.toMatchObject({ code: 412 });
    // The resumable path rejects with the GaxiosError of the session start.
    const resumable = await bucket()
      .file('pre/new.txt')
      .save('sdk', { resumable: true, preconditionOpts: { ifGenerationMatch: 0 } })
      .then(
        () => 'saved',
        (e: { code?: unknown; response?: { status?: number } }) => e.response?.status ?? e.code,
      );
    expect(resumable).toBe(412);
    // A resumable upload started while the object was absent fails at finalize if it appeared since.
    const start = await fetch(
      `${em.url}/upload/storage/v1/b/${BUCKET}/o?uploadType=resumable&name=pre/race.txt&ifGenerationMatch=0`,
      { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' },
    );
    expect(start.status).toBe(200);
    expect((await media('pre/race.txt', 'winner')).status).toBe(200);
    await expectConditionNotMet(
      await fetch(start.headers.get('location')!, { method: 'PUT', body: 'loser' }),
    );
    expect(await (await fetch(`${o('pre/race.txt')}?alt=media`)).text()).toBe('winner');
  });

  it('rewrite and copy check ifGenerationMatch on the destination and ifSourceGenerationMatch on the source (GCS JSON API: objects.rewrite ifGenerationMatch, ifSourceGenerationMatch)', async () => {
    expect((await media('pre/src.txt', 'src')).status).toBe(200);
    expect((await media('pre/dst.txt', 'dst')).status).toBe(200);
    const srcGen = (await meta('pre/src.txt'))['generation']!;
    const rewrite = (dst: string, q: string) =>
      fetch(`${o('pre/src.txt')}/rewriteTo/b/${BUCKET}/o/${encodeURIComponent(dst)}?${q}`, {
        method: 'POST',
      });
    await expectConditionNotMet(await rewrite('pre/dst.txt', 'ifGenerationMatch=0'));
    await expectConditionNotMet(
      await rewrite('pre/fresh.txt', `ifSourceGenerationMatch=${Number(srcGen) + 1}`),
    );
    await expectConditionNotMet(await rewrite('pre/fresh.txt', 'ifSourceMetagenerationNotMatch=1'));
    expect(await (await fetch(`${o('pre/dst.txt')}?alt=media`)).text()).toBe('dst');
    expect((await fetch(o('pre/fresh.txt'))).status).toBe(404);
    expect(
      (await rewrite('pre/fresh.txt', `ifGenerationMatch=0&ifSourceGenerationMatch=${srcGen}`)).status,
    ).toBe(200);
    await expect(
      bucket()
        .file('pre/src.txt')
        .copy(bucket().file('pre/dst.txt'), { preconditionOpts: { ifGenerationMatch: 0 } }),
    ).rejects.toMatchObject({ code: 412 });
  });
});
