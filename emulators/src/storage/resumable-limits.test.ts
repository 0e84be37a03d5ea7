/**
 * Resumable uploads that declare their size are checked against the rules when they start (with
 * the declared metadata and size), not only at finalize, and open sessions are capped in number and
 * buffered bytes.
 */
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type StorageEmulatorHandle, startStorageEmulator } from './index.js';
import { BlobWriter } from './blob-writer.js';
import { UploadLimitError, UploadSessions } from './resumable.js';

const PROJECT = 'demo-resumable-limits';
const BUCKET = `${PROJECT}.appspot.com`;
const RULES = `rules_version = '2';
service firebase.storage {
  match /b/{bucket}/o {
    match /users/{uid}/{file} {
      allow read: if request.auth != null && request.auth.uid == uid;
      allow create: if request.auth != null && request.auth.uid == uid
        && request.resource.size < 500
        && request.resource.contentType.matches('image/.*')
        && request.resource.metadata.get('kind', '') != 'forbidden';
      allow update: if false;
    }
    match /open/{file} {
      allow read, write: if true;
    }
    match /sized/{file} {
      allow write: if request.auth != null && request.resource.size > 0;
    }
  }
}`;

let dataDir: string;
let em: StorageEmulatorHandle;

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'resumable-limits-'));
  em = await startStorageEmulator({
    projectId: PROJECT,
    rules: RULES,
    dataDir,
    log: () => undefined,
    uploadLimits: { maxSessions: 3, maxSessionsPerCaller: 2, maxBufferedBytes: 1000 },
  });
});
afterAll(async () => {
  await em.stop();
  await rm(dataDir, { recursive: true, force: true });
});
beforeEach(async () => {
  await fetch(`${em.url}/internal/reset`, { method: 'POST' });
});

/** An unsigned ID token like the Auth emulator's. */
function token(uid: string): string {
  const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${enc({ alg: 'none' })}.${enc({ sub: uid, user_id: uid })}.`;
}

interface StartOptions {
  uid?: string | null | 'owner';
  size?: number;
  contentType?: string;
  metadata?: Record<string, string>;
}

function start(name: string, o: StartOptions = {}): Promise<Response> {
  const headers: Record<string, string> = {
    'X-Goog-Upload-Protocol': 'resumable',
    'X-Goog-Upload-Command': 'start',
    'Content-Type': 'application/json',
  };
  if (o.size !== undefined) headers['X-Goog-Upload-Header-Content-Length'] = String(o.size);
  if (o.uid) headers['Authorization'] = o.uid === 'owner' ? 'Bearer owner' : `Firebase ${token(o.uid)}`;
  return fetch(`${em.url}/v0/b/${BUCKET}/o?name=${encodeURIComponent(name)}`, {
    method: 'POST',
    headers,
    body: JSON.stringify({
      name,
      contentType: o.contentType ?? 'image/png',
      ...(o.metadata ? { metadata: o.metadata } : {}),
    }),
  });
}

async function started(name: string, o: StartOptions = {}): Promise<string> {
  const res = await start(name, o);
  expect(res.status).toBe(200);
  return res.headers.get('x-goog-upload-url')!;
}

const send = (url: string, command: string, body: string | Uint8Array = '', offset?: number) =>
  fetch(url, {
    method: 'POST',
    headers: {
      'X-Goog-Upload-Command': command,
      ...(offset === undefined ? {} : { 'X-Goog-Upload-Offset': String(offset) }),
    },
    body,
  });

async function gcsNames(): Promise<string[]> {
  const res = await fetch(`${em.url}/b/${BUCKET}/o`);
  return ((await res.json()) as { items: Array<{ name: string }> }).items.map((i) => i.name);
}

describe('rules at the start of a resumable upload', () => {
  it('refuses a start the rules deny with 403, before any byte, and stores nothing', async () => {
    for (const o of [
      { uid: null, size: 10 }, // anonymous
      { uid: 'bob', size: 10 }, // someone else's folder
      { uid: 'alice', size: 5000 }, // declared size over the limit
      { uid: 'alice', size: 10, contentType: 'text/plain' },
      { uid: 'alice', size: 10, metadata: { kind: 'forbidden' } },
    ] satisfies StartOptions[]) {
      const res = await start('users/alice/big.png', o);
      expect(res.status, JSON.stringify(o)).toBe(403);
      expect(await res.json()).toEqual({
        error: { code: 403, message: 'Permission denied. No WRITE permission.' },
      });
      expect(res.headers.get('x-goog-upload-url')).toBeNull();
    }
    expect(await readdir(join(dataDir, 'tmp'))).toEqual([]);
    expect(await gcsNames()).toEqual([]);
  });

  it('allows a start the rules allow, and still checks the real bytes at finalize', async () => {
    const ok = await started('users/alice/a.png', { uid: 'alice', size: 4 });
    const done = await send(ok, 'upload, finalize', 'abcd', 0);
    expect(done.status).toBe(200);
    // Without a declared size the start is not judged; finalize sees the 700 bytes and denies.
    const undeclared = await started('users/alice/b.png', { uid: 'alice' });
    const denied = await send(undeclared, 'upload, finalize', 'x'.repeat(700), 0);
    expect(denied.status).toBe(403);
    expect(await gcsNames()).toEqual(['users/alice/a.png']);
  });

  it('leaves a start without a declared size to finalize: a rule wanting size > 0 is not refused as size 0 (firebase-tools Storage suite: resumable uploads without X-Goog-Upload-Header-Content-Length)', async () => {
    const url = await started('sized/a.txt', { uid: 'alice', contentType: 'text/plain' });
    expect((await send(url, 'upload, finalize', 'abc', 0)).status).toBe(200);
    // Declared, the same size 0 is refused at the start.
    expect((await start('sized/b.txt', { uid: 'alice', size: 0, contentType: 'text/plain' })).status).toBe(
      403,
    );
    // Undeclared, a caller the rules refuse whatever the size still stores nothing.
    const anonymous = await started('sized/c.txt', { uid: null, contentType: 'text/plain' });
    expect((await send(anonymous, 'upload, finalize', 'abc', 0)).status).toBe(403);
    expect(await gcsNames()).toEqual(['sized/a.txt']);
  });

  it('checks an overwrite as update at the start', async () => {
    await send(await started('users/alice/a.png', { uid: 'alice', size: 1 }), 'upload, finalize', 'a', 0);
    const res = await start('users/alice/a.png', { uid: 'alice', size: 1 });
    expect(res.status).toBe(403);
  });

  it('does not check the admin', async () => {
    const url = await started('users/alice/admin.bin', { uid: 'owner', size: 3, contentType: 'text/plain' });
    expect((await send(url, 'upload, finalize', 'abc', 0)).status).toBe(200);
    const gcs = await fetch(`${em.url}/upload/storage/v1/b/${BUCKET}/o?uploadType=resumable&name=x.txt`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'X-Upload-Content-Length': '3' },
      body: '{}',
    });
    expect(gcs.status).toBe(200);
    // Leave no session open for the next tests (the admin has a per-caller cap too).
    expect((await fetch(gcs.headers.get('location')!, { method: 'PUT', body: 'abc' })).status).toBe(200);
  });
});

describe('caps on open resumable sessions', () => {
  it('caps sessions per caller and overall with 429; cancelled and finished ones free their slots', async () => {
    const a1 = await started('open/a1', { uid: 'alice' });
    const a2 = await started('open/a2', { uid: 'alice' });
    const a3 = await start('open/a3', { uid: 'alice' });
    expect(a3.status).toBe(429);
    expect(((await a3.json()) as { error: { message: string } }).error.message).toMatch(
      /Too many open resumable uploads for this caller \(limit 2\)/,
    );
    // Another caller still has room until the overall cap (3).
    const b1 = await started('open/b1', { uid: 'bob' });
    const anon = await start('open/c1', { uid: null });
    expect(anon.status).toBe(429);
    expect(((await anon.json()) as { error: { message: string } }).error.message).toMatch(
      /Too many open resumable uploads in the Storage emulator \(limit 3\)/,
    );

    expect((await send(a1, 'cancel')).status).toBe(200);
    const a4 = await started('open/a4', { uid: 'alice' });
    expect((await send(a2, 'upload, finalize', 'x', 0)).status).toBe(200);
    expect((await send(b1, 'upload, finalize', 'y', 0)).status).toBe(200);
    const anonOk = await started('open/c2', { uid: null });
    for (const url of [a4, anonOk]) await send(url, 'cancel');
  });

  it('caps bytes buffered across sessions with 429 and rolls the refused chunk back', async () => {
    const one = await started('open/one', { uid: 'alice' });
    const two = await started('open/two', { uid: 'bob' });
    expect((await send(one, 'upload', 'a'.repeat(600), 0)).status).toBe(200);
    const refused = await send(two, 'upload', 'b'.repeat(600), 0);
    expect(refused.status).toBe(429);
    expect(await refused.text()).toMatch(/holds 1000 bytes of unfinished uploads/);
    const status = await send(two, 'query');
    expect(status.headers.get('x-goog-upload-size-received')).toBe('0');
    // Finishing the first upload frees its bytes.
    expect((await send(one, 'finalize', '', 600)).status).toBe(200);
    expect((await send(two, 'upload, finalize', 'b'.repeat(600), 0)).status).toBe(200);
    expect(await gcsNames()).toEqual(['open/one', 'open/two']);
  });

  it('refuses a declared size beyond the buffered-bytes cap with 413 at the start', async () => {
    const res = await start('open/huge', { uid: 'alice', size: 1001 });
    expect(res.status).toBe(413);
  });

  it('caps GCS resumable sessions (the admin is one caller)', async () => {
    const gcsStart = () =>
      fetch(`${em.url}/upload/storage/v1/b/${BUCKET}/o?uploadType=resumable&name=g`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: '{}',
      });
    const first = await gcsStart();
    const second = await gcsStart();
    expect([first.status, second.status]).toEqual([200, 200]);
    expect((await gcsStart()).status).toBe(429);
    for (const r of [first, second]) {
      expect((await fetch(r.headers.get('location')!, { method: 'PUT', body: 'z' })).status).toBe(200);
    }
    const third = await gcsStart();
    expect(third.status).toBe(200);
    await fetch(third.headers.get('location')!, { method: 'PUT', body: 'z' });
  });
});

describe('UploadSessions', () => {
  it('frees the slots of sessions that expire', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sessions-'));
    const sessions = new UploadSessions({ maxSessions: 1 });
    try {
      const init = {
        bucket: 'b',
        name: 'n',
        patch: {},
        caller: { admin: false as const, auth: null },
        declaredSize: undefined,
        dataContentType: undefined,
      };
      sessions.create({ ...init, writer: new BlobWriter(join(dir, '1')) });
      expect(() => sessions.create({ ...init, writer: new BlobWriter(join(dir, '2')) })).toThrow(
        UploadLimitError,
      );
      await sessions.sweep(Date.now() + 2 * 60 * 60 * 1000);
      expect(sessions.create({ ...init, writer: new BlobWriter(join(dir, '3')) }).state).toBe('active');
    } finally {
      await sessions.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('rejects limits that are not non-negative integers', () => {
    expect(() => new UploadSessions({ maxBufferedBytes: -1 })).toThrow(RangeError);
  });
});
