import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StorageEmulatorHandle, startStorageEmulator } from './index.js';

const PROJECT = 'demo-bad-input';
const BUCKET = `${PROJECT}.appspot.com`;
const OPEN_RULES = `rules_version = '2';
service firebase.storage { match /b/{bucket}/o { match /{all=**} { allow read, write: if true; } } }`;
let em: StorageEmulatorHandle;

beforeAll(async () => {
  em = await startStorageEmulator({
    projectId: PROJECT,
    rules: OPEN_RULES,
    log: () => undefined,
  });
});
afterAll(async () => {
  await em.stop();
});

const v0 = (q = '') => `${em.url}/v0/b/${BUCKET}/o${q}`;

function multipart(
  meta: unknown,
  data: string,
  boundary = 'xyz',
): { headers: Record<string, string>; body: string } {
  return {
    headers: {
      'X-Goog-Upload-Protocol': 'multipart',
      'Content-Type': `multipart/related; boundary=${boundary}`,
    },
    body: `--${boundary}\r\nContent-Type: application/json\r\n\r\n${JSON.stringify(meta)}\r\n--${boundary}\r\nContent-Type: text/plain\r\n\r\n${data}\r\n--${boundary}--`,
  };
}

async function names(): Promise<string[]> {
  const res = await fetch(`${em.url}/b/${BUCKET}/o`);
  const body = (await res.json()) as { items: Array<{ name: string }> };
  return body.items.map((i) => i.name);
}

async function startResumable(name: string, size: number): Promise<string> {
  const res = await fetch(v0(`?name=${encodeURIComponent(name)}`), {
    method: 'POST',
    headers: {
      'X-Goog-Upload-Protocol': 'resumable',
      'X-Goog-Upload-Command': 'start',
      'X-Goog-Upload-Header-Content-Length': String(size),
      'Content-Type': 'application/json',
    },
    body: JSON.stringify({ name, contentType: 'application/octet-stream' }),
  });
  expect(res.status).toBe(200);
  expect(res.headers.get('x-goog-upload-status')).toBe('active');
  return res.headers.get('x-goog-upload-url')!;
}

const chunk = (url: string, command: string, offset: number, body: Uint8Array | string) =>
  fetch(url, {
    method: 'POST',
    headers: {
      'X-Goog-Upload-Command': command,
      'X-Goog-Upload-Offset': String(offset),
    },
    body,
  });

const query = async (url: string) => {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'X-Goog-Upload-Command': 'query' },
  });
  return {
    status: res.headers.get('x-goog-upload-status'),
    received: Number(res.headers.get('x-goog-upload-size-received')),
  };
};

/** Send headers and part of a body on a raw socket, then cut the connection. */
async function abortMidBody(
  url: string,
  headers: Record<string, string>,
  declared: number,
  sent: Buffer,
): Promise<void> {
  const u = new URL(url);
  await new Promise<void>((resolve) => {
    const sock = connect(Number(u.port), u.hostname, () => {
      const lines = [
        `POST ${u.pathname}${u.search} HTTP/1.1`,
        `Host: ${u.host}`,
        `Content-Length: ${declared}`,
      ];
      for (const [k, v] of Object.entries(headers)) lines.push(`${k}: ${v}`);
      sock.write(`${lines.join('\r\n')}\r\n\r\n`);
      sock.write(sent, () => setTimeout(() => sock.destroy(), 30));
    });
    sock.on('close', () => resolve());
    sock.on('error', () => resolve());
  });
  await new Promise((r) => setTimeout(r, 50));
}

describe('bad input is refused cleanly and leaves nothing behind', () => {
  it.each([
    ['a dot-dot segment', 'a/../b.txt'],
    ['a control character', 'a\u0001b.txt'],
    ['more than 1024 bytes', 'x'.repeat(1025)],
  ])('rejects object names with %s (Firebase and GCS APIs)', async (_label, name) => {
    const m = multipart({ name }, 'data');
    const res = await fetch(v0(`?name=${encodeURIComponent(name)}`), {
      method: 'POST',
      ...m,
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: number } }).error.code).toBe(400);
    const gcs = await fetch(
      `${em.url}/upload/storage/v1/b/${BUCKET}/o?uploadType=multipart&name=${encodeURIComponent(name)}`,
      {
        method: 'POST',
        headers: { 'Content-Type': 'multipart/related; boundary=xyz' },
        body: m.body,
      },
    );
    expect(gcs.status).toBe(400);
    const start = await fetch(v0(`?name=${encodeURIComponent(name)}`), {
      method: 'POST',
      headers: {
        'X-Goog-Upload-Protocol': 'resumable',
        'X-Goog-Upload-Command': 'start',
      },
      body: '{}',
    });
    expect(start.status).toBe(400);
    expect(await names()).not.toContain(name);
  });

  it('rejects huge or malformed metadata', async () => {
    const big = { metadata: { k: 'v'.repeat(9000) } };
    const res = await fetch(v0('?name=meta.txt'), {
      method: 'POST',
      ...multipart(big, 'x'),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(
      /Custom metadata exceeds 8192 bytes/,
    );
    const huge = await fetch(v0('?name=meta.txt'), {
      method: 'POST',
      headers: {
        'X-Goog-Upload-Protocol': 'resumable',
        'X-Goog-Upload-Command': 'start',
      },
      body: JSON.stringify({ metadata: { k: 'v'.repeat(100_000) } }),
    });
    expect(huge.status).toBe(413);
    const nested = await fetch(v0('?name=meta.txt'), {
      method: 'POST',
      ...multipart({ metadata: { k: { deep: 1 } } }, 'x'),
    });
    expect(nested.status).toBe(400);
    const notJson = await fetch(v0('?name=meta.txt'), {
      method: 'POST',
      headers: {
        'X-Goog-Upload-Protocol': 'resumable',
        'X-Goog-Upload-Command': 'start',
      },
      body: '{not json',
    });
    expect(notJson.status).toBe(400);
    expect(await names()).not.toContain('meta.txt');
  });

  it('rejects malformed multipart bodies', async () => {
    const res = await fetch(v0('?name=mp.txt'), {
      method: 'POST',
      headers: {
        'X-Goog-Upload-Protocol': 'multipart',
        'Content-Type': 'multipart/related; boundary=xyz',
      },
      body: '--xyz\r\nContent-Type: application/json\r\n\r\n{}\r\n--xyz\r\n\r\nno closing boundary',
    });
    expect(res.status).toBe(400);
    expect(await names()).not.toContain('mp.txt');
  });

  it('resumable: wrong offsets and chunks past the declared size are 400; nothing is visible until finalize', async () => {
    const url = await startResumable('res/offsets.bin', 10);
    expect((await chunk(url, 'upload', 0, '12345')).status).toBe(200);
    const wrong = await chunk(url, 'upload', 3, '45678');
    expect(wrong.status).toBe(400);
    expect(wrong.headers.get('x-goog-upload-size-received')).toBe('5');
    const over = await chunk(url, 'upload, finalize', 5, '6789012345');
    expect(over.status).toBe(400);
    expect(await query(url)).toEqual({ status: 'active', received: 5 });
    // Finalizing short of the declared size is refused.
    expect((await chunk(url, 'upload, finalize', 5, '67')).status).toBe(400);
    expect(await names()).not.toContain('res/offsets.bin');
    const done = await chunk(url, 'upload, finalize', 7, '890');
    expect(done.status).toBe(200);
    expect(done.headers.get('x-goog-upload-status')).toBe('final');
    expect(((await done.json()) as { size: string }).size).toBe('10');
    const bytes = await fetch(`${em.url}/b/${BUCKET}/o/res%2Foffsets.bin?alt=media`);
    expect(await bytes.text()).toBe('1234567890');
  });

  it('resumable: an aborted chunk is rolled back and the upload can continue', async () => {
    const url = await startResumable('res/aborted.bin', 8);
    expect((await chunk(url, 'upload', 0, 'abcd')).status).toBe(200);
    await abortMidBody(
      url,
      {
        'X-Goog-Upload-Command': 'upload, finalize',
        'X-Goog-Upload-Offset': '4',
      },
      4,
      Buffer.from('ef'),
    );
    expect(await query(url)).toEqual({ status: 'active', received: 4 });
    expect(await names()).not.toContain('res/aborted.bin');
    const done = await chunk(url, 'upload, finalize', 4, 'efgh');
    expect(done.status).toBe(200);
    expect(await (await fetch(`${em.url}/b/${BUCKET}/o/res%2Faborted.bin?alt=media`)).text()).toBe(
      'abcdefgh',
    );
  });

  it('resumable: cancel discards the upload; unknown or cancelled sessions are refused', async () => {
    const url = await startResumable('res/cancel.bin', 4);
    await chunk(url, 'upload', 0, 'ab');
    const cancel = await fetch(url, {
      method: 'POST',
      headers: { 'X-Goog-Upload-Command': 'cancel' },
    });
    expect(cancel.status).toBe(200);
    expect((await chunk(url, 'upload, finalize', 2, 'cd')).status).toBe(400);
    const unknown = url.replace(/upload_id=[^&]+/, 'upload_id=nope');
    expect((await chunk(unknown, 'upload', 0, 'x')).status).toBe(404);
    expect(await names()).not.toContain('res/cancel.bin');
  });

  it('GCS resumable: bad Content-Range, status queries and an aborted PUT', async () => {
    const start = await fetch(
      `${em.url}/upload/storage/v1/b/${BUCKET}/o?uploadType=resumable&name=gcs%2Fr.bin`,
      {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: '{}',
      },
    );
    const location = start.headers.get('location')!;
    expect(location).toContain('upload_id=');
    const part = await fetch(location, {
      method: 'PUT',
      headers: { 'Content-Range': 'bytes 0-3/8' },
      body: 'ABCD',
    });
    expect(part.status).toBe(308);
    expect(part.headers.get('range')).toBe('bytes=0-3');
    const gap = await fetch(location, {
      method: 'PUT',
      headers: { 'Content-Range': 'bytes 6-7/8' },
      body: 'GH',
    });
    expect(gap.status).toBe(400);
    const malformed = await fetch(location, {
      method: 'PUT',
      headers: { 'Content-Range': 'bytes=nonsense' },
      body: 'x',
    });
    expect(malformed.status).toBe(400);
    const u = new URL(location);
    await new Promise<void>((resolve) => {
      const sock = connect(Number(u.port), u.hostname, () => {
        sock.write(
          `PUT ${u.pathname}${u.search} HTTP/1.1\r\nHost: ${u.host}\r\nContent-Range: bytes 4-7/8\r\nContent-Length: 4\r\n\r\nE`,
          () => setTimeout(() => sock.destroy(), 30),
        );
      });
      sock.on('close', () => resolve());
    });
    await new Promise((r) => setTimeout(r, 50));
    const status = await fetch(location, {
      method: 'PUT',
      headers: { 'Content-Range': 'bytes */8' },
    });
    expect(status.status).toBe(308);
    expect(status.headers.get('range')).toBe('bytes=0-3');
    const done = await fetch(location, {
      method: 'PUT',
      headers: { 'Content-Range': 'bytes 4-7/8' },
      body: 'EFGH',
    });
    expect(done.status).toBe(200);
    expect(((await done.json()) as { size: string }).size).toBe('8');
    expect(await (await fetch(`${em.url}/b/${BUCKET}/o/gcs%2Fr.bin?alt=media`)).text()).toBe('ABCDEFGH');
  });

  it('GCS uploads whose declared md5Hash / X-Goog-Hash do not match the bytes are refused', async () => {
    const m = multipart({ name: 'hash/bad.txt', md5Hash: 'AAAAAAAAAAAAAAAAAAAAAA==' }, 'data');
    const res = await fetch(`${em.url}/upload/storage/v1/b/${BUCKET}/o?uploadType=multipart`, {
      method: 'POST',
      headers: { 'Content-Type': 'multipart/related; boundary=xyz' },
      body: m.body,
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { message: string } }).error.message).toMatch(/MD5/);
    const media = await fetch(
      `${em.url}/upload/storage/v1/b/${BUCKET}/o?uploadType=media&name=hash%2Fbad2.txt`,
      {
        method: 'POST',
        headers: { 'X-Goog-Hash': 'crc32c=AAAAAA==' },
        body: 'data',
      },
    );
    expect(media.status).toBe(400);
    const ok = await fetch(`${em.url}/upload/storage/v1/b/${BUCKET}/o?uploadType=media&name=hash%2Fok.txt`, {
      method: 'POST',
      // md5("data")
      headers: { 'X-Goog-Hash': 'md5=jXd/OF09/siBXSD3SWAm3A==' },
      body: 'data',
    });
    expect(ok.status).toBe(200);
    const stored = await names();
    expect(stored).toContain('hash/ok.txt');
    expect(stored).not.toContain('hash/bad.txt');
    expect(stored).not.toContain('hash/bad2.txt');
  });

  it('survives clients that vanish after an early error reply', async () => {
    for (const path of [
      `/v0/b/Bad_Bucket!/o?name=a`,
      `/v0/b/${BUCKET}/o?name=a%2F..%2Fb`,
      `/upload/storage/v1/b/${BUCKET}/o?uploadType=bogus&name=z`,
    ]) {
      await abortMidBody(
        `${em.url}${path}`,
        {
          'X-Goog-Upload-Protocol': 'multipart',
          'Content-Type': 'multipart/related; boundary=q',
        },
        5_000_000,
        Buffer.alloc(100_000),
      );
    }
    expect((await fetch(`${em.url}/`)).status).toBe(200);
    expect(await names()).not.toContain('z');
  });

  it('answers malformed paths and unknown routes without crashing', async () => {
    expect((await fetch(`${em.url}/v0/b/${BUCKET}/o/%E0%A4%A`)).status).toBe(400);
    expect((await fetch(`${em.url}/v0/b/Bad_Bucket!/o`)).status).toBe(400);
    expect((await fetch(`${em.url}/v0/b/${BUCKET}/o?prefix=nodelim`)).status).toBe(400);
    expect((await fetch(`${em.url}/v0/b/${BUCKET}/o?maxResults=0`)).status).toBe(400);
    expect((await fetch(`${em.url}/b/${BUCKET}/o/x/compose`, { method: 'POST' })).status).toBe(501);
    expect((await fetch(`${em.url}/v0/b/${BUCKET}/o/missing.txt`)).status).toBe(404);
    const range = await fetch(`${em.url}/b/${BUCKET}/o/res%2Foffsets.bin?alt=media`, {
      headers: { Range: 'bytes=100-' },
    });
    expect(range.status).toBe(416);
    expect((await fetch(`${em.url}/`)).status).toBe(200);
  });
});
