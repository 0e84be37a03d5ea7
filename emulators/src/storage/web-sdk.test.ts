import { createHash, randomBytes } from 'node:crypto';
import {
  deleteObject,
  getBytes,
  getDownloadURL,
  getMetadata,
  getStream,
  list,
  listAll,
  ref,
  updateMetadata,
  uploadBytes,
  uploadBytesResumable,
  uploadString,
} from 'firebase/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StorageEmulatorHandle, startStorageEmulator } from './index.js';
import { TEST_RULES, type WebClient, webClient } from './test-clients.js';

const PROJECT = 'demo-web-sdk';
let em: StorageEmulatorHandle;
let alice: WebClient;
let bob: WebClient;
let anon: WebClient;
let owner: WebClient;

beforeAll(async () => {
  em = await startStorageEmulator({
    projectId: PROJECT,
    rules: TEST_RULES,
    log: () => undefined,
  });
  alice = webClient(em, PROJECT, 'alice');
  bob = webClient(em, PROJECT, 'bob');
  anon = webClient(em, PROJECT, null);
  owner = webClient(em, PROJECT, 'owner');
});

afterAll(async () => {
  await Promise.all([alice, bob, anon, owner].map((c) => c.close()));
  await em.stop();
});

const md5 = (b: Uint8Array) => createHash('md5').update(b).digest('base64');
const code = async (p: PromiseLike<unknown>) =>
  Promise.resolve(p).then(
    () => 'resolved',
    (e: { code?: string }) => e.code,
  );

describe('firebase/storage (Node) against the emulator', () => {
  it('uploadBytes stores bytes and metadata; getBytes/getMetadata return them', async () => {
    const r = ref(alice.storage, 'users/alice/notes/hello world.txt');
    const data = new TextEncoder().encode('hello, storage');
    const up = await uploadBytes(r, data, {
      contentType: 'text/plain',
      cacheControl: 'private, max-age=60',
      customMetadata: { purpose: 'test' },
    });
    expect(up.metadata.fullPath).toBe('users/alice/notes/hello world.txt');
    expect(up.metadata.name).toBe('hello world.txt');
    expect(up.metadata.bucket).toBe(`${PROJECT}.appspot.com`);
    expect(up.metadata.size).toBe(data.length);
    expect(up.metadata.md5Hash).toBe(md5(data));
    expect(up.metadata.contentType).toBe('text/plain');
    expect(up.metadata.customMetadata).toEqual({ purpose: 'test' });
    expect(new TextDecoder().decode(await getBytes(r))).toBe('hello, storage');
    const meta = await getMetadata(r);
    expect(meta.cacheControl).toBe('private, max-age=60');
    expect(meta.generation).toBe(up.metadata.generation);
  });

  // getBlob is browser-only; browser.test.ts covers it.
  it('uploadString, getStream and ranged getBytes', async () => {
    const r = ref(alice.storage, 'users/alice/s.txt');
    await uploadString(r, 'abcdefghij', 'raw', { contentType: 'text/plain' });
    expect(new TextDecoder().decode(await getBytes(r, 4))).toBe('abcd');
    const stream = getStream(r) as unknown as AsyncIterable<Uint8Array>;
    const chunks: Uint8Array[] = [];
    for await (const c of stream) chunks.push(c);
    expect(Buffer.concat(chunks).toString()).toBe('abcdefghij');
  });

  it('uploadBytesResumable reports increasing progress and stores the exact bytes', async () => {
    const data = randomBytes(3 * 1024 * 1024 + 17);
    const task = uploadBytesResumable(ref(alice.storage, 'users/alice/big.bin'), data);
    const seen: number[] = [];
    task.on('state_changed', (s) => {
      seen.push(s.bytesTransferred);
    });
    const done = await task;
    expect(done.totalBytes).toBe(data.length);
    expect(seen.length).toBeGreaterThan(2);
    expect(seen.at(-1)).toBe(data.length);
    expect([...seen].sort((a, b) => a - b)).toEqual(seen);
    expect(done.metadata.md5Hash).toBe(md5(data));
    expect(Buffer.from(await getBytes(done.ref)).equals(data)).toBe(true);
  });

  it('pauses and resumes a resumable upload', async () => {
    const data = randomBytes(4 * 1024 * 1024);
    const task = uploadBytesResumable(ref(alice.storage, 'users/alice/paused.bin'), data);
    const states: string[] = [];
    let paused = false;
    task.on('state_changed', (s) => {
      states.push(s.state);
      if (!paused && s.bytesTransferred > 0) {
        paused = task.pause();
        setTimeout(() => task.resume(), 50);
      }
    });
    const done = await task;
    expect(paused).toBe(true);
    expect(states).toContain('paused');
    expect(states.at(-1)).toBe('running');
    expect(Buffer.from(await getBytes(done.ref)).equals(data)).toBe(true);
  });

  it('a cancelled upload rejects with storage/canceled and leaves nothing behind', async () => {
    const r = ref(alice.storage, 'users/alice/cancelled.bin');
    const task = uploadBytesResumable(r, randomBytes(4 * 1024 * 1024));
    task.on('state_changed', (s) => {
      if (s.bytesTransferred > 0) task.cancel();
    });
    expect(await code(task.then())).toBe('storage/canceled');
    expect(await code(getMetadata(r))).toBe('storage/object-not-found');
  });

  it('getDownloadURL returns a token URL usable without auth; a wrong token is refused', async () => {
    const r = ref(alice.storage, 'users/alice/dl.txt');
    await uploadString(r, 'via token', 'raw', { contentType: 'text/plain' });
    const url = await getDownloadURL(r);
    const parsed = new URL(url);
    expect(parsed.pathname).toBe(`/v0/b/${PROJECT}.appspot.com/o/users%2Falice%2Fdl.txt`);
    expect(parsed.searchParams.get('alt')).toBe('media');
    const token = parsed.searchParams.get('token');
    expect(token).toMatch(/^[0-9a-f-]{36}$/);
    const raw = await fetch(`${em.url}/v0/b/${PROJECT}.appspot.com/o/users%2Falice%2Fdl.txt`, {
      headers: { Authorization: 'Firebase owner' },
    });
    expect(((await raw.json()) as { downloadTokens: string }).downloadTokens).toBe(token);
    const ok = await fetch(url);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toBe('via token');
    parsed.searchParams.set('token', 'not-the-token');
    expect((await fetch(parsed)).status).toBe(403);
  });

  it('honours firebaseStorageDownloadTokens given at upload', async () => {
    const r = ref(alice.storage, 'users/alice/own-token.txt');
    await uploadString(r, 't', 'raw', {
      contentType: 'text/plain',
      customMetadata: { firebaseStorageDownloadTokens: 'tok-1' },
    });
    expect(new URL(await getDownloadURL(r)).searchParams.get('token')).toBe('tok-1');
    expect((await getMetadata(r)).customMetadata).toBeUndefined();
  });

  it('updateMetadata sets and deletes fields (null removes)', async () => {
    const r = ref(alice.storage, 'users/alice/meta.txt');
    await uploadString(r, 'm', 'raw', {
      contentType: 'text/plain',
      customMetadata: { a: '1', b: '2' },
    });
    const m = await updateMetadata(r, {
      contentLanguage: 'en',
      customMetadata: { a: null as unknown as string, c: '3' },
    });
    expect(m.contentLanguage).toBe('en');
    expect(m.customMetadata).toEqual({ b: '2', c: '3' });
    expect(m.metageneration).toBe('2');
    expect(m.contentType).toBe('text/plain');
  });

  it('list pages with maxResults and listAll returns prefixes and items', async () => {
    for (const n of ['a', 'b', 'c', 'd', 'e']) {
      await uploadString(ref(alice.storage, `users/alice/list/${n}.txt`), n, 'raw', {
        contentType: 'text/plain',
      });
    }
    await uploadString(ref(alice.storage, 'users/alice/list/sub/x.txt'), 'x', 'raw', {
      contentType: 'text/plain',
    });
    const dir = ref(alice.storage, 'users/alice/list');
    const p1 = await list(dir, { maxResults: 2 });
    // Prefixes sort with items: "sub/" comes after "e.txt".
    expect(p1.items.map((i) => i.name)).toEqual(['a.txt', 'b.txt']);
    expect(p1.nextPageToken).toBeTruthy();
    const p2 = await list(dir, { maxResults: 2, pageToken: p1.nextPageToken! });
    expect(p2.items.map((i) => i.name)).toEqual(['c.txt', 'd.txt']);
    const p3 = await list(dir, { maxResults: 2, pageToken: p2.nextPageToken! });
    expect(p3.items.map((i) => i.name)).toEqual(['e.txt']);
    expect(p3.prefixes.map((p) => p.fullPath)).toEqual(['users/alice/list/sub']);
    expect(p3.nextPageToken).toBeUndefined();
    const all = await listAll(dir);
    expect(all.items.map((i) => i.name)).toEqual(['a.txt', 'b.txt', 'c.txt', 'd.txt', 'e.txt']);
    expect(all.prefixes.map((p) => p.name)).toEqual(['sub']);
  });

  it('deleteObject removes the object; later reads are storage/object-not-found', async () => {
    const r = ref(alice.storage, 'users/alice/del.txt');
    await uploadString(r, 'bye', 'raw', { contentType: 'text/plain' });
    await deleteObject(r);
    expect(await code(getMetadata(r))).toBe('storage/object-not-found');
    expect(await code(getBytes(r))).toBe('storage/object-not-found');
    expect(await code(deleteObject(r))).toBe('storage/object-not-found');
  });

  it('maps rule denials to storage/unauthorized and leaves nothing behind', async () => {
    const target = 'users/alice/secret.txt';
    await uploadString(ref(alice.storage, target), 'mine', 'raw', {
      contentType: 'text/plain',
    });
    expect(await code(getBytes(ref(bob.storage, target)))).toBe('storage/unauthorized');
    expect(await code(getMetadata(ref(anon.storage, target)))).toBe('storage/unauthorized');
    expect(await code(deleteObject(ref(bob.storage, target)))).toBe('storage/unauthorized');
    expect(await code(listAll(ref(bob.storage, 'users/alice')))).toBe('storage/unauthorized');
    const denied = 'users/alice/by-bob.txt';
    expect(
      await code(
        uploadString(ref(bob.storage, denied), 'x', 'raw', {
          contentType: 'text/plain',
        }),
      ),
    ).toBe('storage/unauthorized');
    // Resumable uploads are checked on finalize: a denied one leaves no object either.
    const bigDenied = 'users/alice/by-bob.bin';
    expect(await code(uploadBytesResumable(ref(bob.storage, bigDenied), randomBytes(600_000)).then())).toBe(
      'storage/unauthorized',
    );
    expect(await code(getMetadata(ref(owner.storage, denied)))).toBe('storage/object-not-found');
    expect(await code(getMetadata(ref(owner.storage, bigDenied)))).toBe('storage/object-not-found');
    // request.resource: contentType and size limits in the rules.
    expect(
      await code(
        uploadString(ref(alice.storage, 'users/alice/x.pdf'), 'x', 'raw', {
          contentType: 'application/pdf',
        }),
      ),
    ).toBe('storage/unauthorized');
  });

  it('the owner token bypasses the rules', async () => {
    const r = ref(owner.storage, 'admin-only/file.txt');
    await uploadString(r, 'root', 'raw', { contentType: 'text/plain' });
    expect(new TextDecoder().decode(await getBytes(r))).toBe('root');
    expect(await code(getBytes(ref(alice.storage, 'admin-only/file.txt')))).toBe('storage/unauthorized');
  });
});
