/**
 * Web pages must not drive the emulators: CORS only for loopback (and configured) origins, any
 * request with a foreign Origin refused, and Host headers that are not ours refused (DNS rebinding).
 */
import { request } from 'node:http';
import { connect } from 'node:http2';
import { networkInterfaces } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AccessConfigError, AccessPolicy } from './access.js';
import { type FirestoreEmulatorHandle, startFirestoreEmulator } from './firestore/index.js';
import { type StorageEmulatorHandle, startStorageEmulator } from './storage/index.js';

const PROJECT = 'demo-access';
const BUCKET = `${PROJECT}.appspot.com`;
const EVIL = 'https://evil.example';
const LOOPBACK_PAGE = 'http://127.0.0.1:5173';

let firestore: FirestoreEmulatorHandle;
let storage: StorageEmulatorHandle;

beforeAll(async () => {
  firestore = await startFirestoreEmulator({ port: 0, projectId: PROJECT, rulesCompiler: null });
  storage = await startStorageEmulator({
    projectId: PROJECT,
    log: () => undefined,
    allowedOrigins: ['https://app.example.test'],
    allowedHosts: ['storage.internal'],
  });
});
afterAll(async () => {
  await storage?.stop();
  await firestore?.stop();
});

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** node:http rather than fetch, which will not send a Host header of our choosing. */
function send(url: string, method: string, headers: Record<string, string>, body?: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: text }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const preflight = (url: string, origin: string, extra: Record<string, string> = {}) =>
  send(url, 'OPTIONS', {
    Origin: origin,
    'Access-Control-Request-Method': 'POST',
    'Access-Control-Request-Headers': 'authorization,content-type',
    ...extra,
  });

async function storageNames(): Promise<string[]> {
  const res = await fetch(`${storage.url}/b/${BUCKET}/o`);
  return ((await res.json()) as { items: Array<{ name: string }> }).items.map((i) => i.name);
}

async function putObject(name: string): Promise<void> {
  const res = await fetch(`${storage.url}/upload/storage/v1/b/${BUCKET}/o?uploadType=media&name=${name}`, {
    method: 'POST',
    body: 'x',
  });
  expect(res.status).toBe(200);
}

describe('AccessPolicy', () => {
  const policy = new AccessPolicy('127.0.0.1', {
    allowedOrigins: ['https://app.example.test', 'null'],
    allowedHosts: ['devbox.example', '2001:db8::1'],
  });

  it.each([
    'http://localhost:5173',
    'http://127.0.0.1:5173',
    'https://127.9.8.7',
    'http://[::1]:3000',
    'http://app.localhost:5173',
    'https://app.example.test',
    'null',
  ])('allows the origin %s', (origin) => {
    expect(policy.check('127.0.0.1:8080', origin)).toBeUndefined();
  });

  it.each([
    'https://evil.example',
    'http://127.0.0.1.nip.io',
    'http://localhost.evil.example',
    'https://app.example.test:8443',
    'ftp://localhost',
    'http://localhost:5173/path',
    'http://localhost:5173, https://evil.example',
  ])('refuses the origin %s', (origin) => {
    expect(policy.check('127.0.0.1:8080', origin)).toMatch(/--allow-origin/);
  });

  it.each([
    '127.0.0.1:8080',
    '127.1.2.3',
    'localhost:9199',
    'LOCALHOST.:9199',
    'foo.localhost:1',
    '[::1]:8080',
    'devbox.example:8080',
    '[2001:db8::1]:80',
  ])('allows the Host %s', (host) => {
    expect(policy.check(host, undefined)).toBeUndefined();
  });

  it.each([
    'evil.example.com',
    'evil.example.com:8080',
    '127.0.0.1.nip.io:8080',
    'evil.example@127.0.0.1',
    '127.0.0.1/x',
    '0.0.0.0:8080',
    '192.168.1.5:8080',
    '',
  ])('refuses the Host %s', (host) => {
    expect(policy.check(host, undefined)).toMatch(/DNS rebinding.*--allow-host/);
  });

  it('allows the listen host and, on 0.0.0.0, the interface addresses', () => {
    expect(new AccessPolicy('192.168.1.5').check('192.168.1.5:8080', undefined)).toBeUndefined();
    const any = new AccessPolicy('0.0.0.0');
    const own = Object.values(networkInterfaces())
      .flat()
      .find((a) => a?.family === 'IPv4');
    if (own) expect(any.check(`${own.address}:8080`, undefined)).toBeUndefined();
    expect(any.check('evil.example.com', undefined)).toMatch(/DNS rebinding/);
    expect(any.check('0.0.0.0:8080', undefined)).toMatch(/DNS rebinding/);
  });

  it('rejects malformed configuration', () => {
    expect(() => new AccessPolicy('127.0.0.1', { allowedOrigins: ['app.example.test'] })).toThrow(
      AccessConfigError,
    );
    expect(() => new AccessPolicy('127.0.0.1', { allowedOrigins: ['https://a.test/x'] })).toThrow(
      AccessConfigError,
    );
    expect(() => new AccessPolicy('127.0.0.1', { allowedHosts: ['a/b'] })).toThrow(AccessConfigError);
  });
});

describe('Storage emulator', () => {
  const v0 = () => `${storage.url}/v0/b/${BUCKET}/o?name=x`;

  it('gives a foreign origin no CORS and refuses its preflight', async () => {
    const res = await preflight(v0(), EVIL, { 'Access-Control-Request-Private-Network': 'true' });
    expect(res.status).toBe(403);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    expect(res.headers['access-control-allow-private-network']).toBeUndefined();
  });

  it('refuses requests a foreign page can send without a preflight', async () => {
    await putObject('keep.txt');
    const reset = await send(`${storage.url}/internal/reset`, 'POST', {
      Origin: EVIL,
      'Content-Type': 'text/plain',
    });
    expect(reset.status).toBe(403);
    expect(reset.headers['access-control-allow-origin']).toBeUndefined();
    const list = await send(`${storage.url}/b/${BUCKET}/o`, 'GET', { Origin: EVIL });
    expect(list.status).toBe(403);
    expect(await storageNames()).toContain('keep.txt');
  });

  it('keeps CORS and private-network access for loopback and configured origins', async () => {
    for (const origin of [LOOPBACK_PAGE, 'http://localhost:5173', 'https://app.example.test']) {
      const res = await preflight(v0(), origin, { 'Access-Control-Request-Private-Network': 'true' });
      expect(res.status).toBe(204);
      expect(res.headers['access-control-allow-origin']).toBe(origin);
      expect(res.headers['access-control-allow-private-network']).toBe('true');
    }
    const list = await send(`${storage.url}/b/${BUCKET}/o`, 'GET', { Origin: LOOPBACK_PAGE });
    expect(list.status).toBe(200);
    expect(list.headers['access-control-allow-origin']).toBe(LOOPBACK_PAGE);
  });

  it('refuses a Host that is not loopback, its own or configured (DNS rebinding)', async () => {
    await putObject('still-here.txt');
    const res = await send(`${storage.url}/b/${BUCKET}/o/still-here.txt`, 'DELETE', {
      Host: 'evil.example.com',
    });
    expect(res.status).toBe(403);
    expect(res.body).toMatch(/DNS rebinding/);
    expect(res.body).toMatch(/--allow-host/);
    expect(await storageNames()).toContain('still-here.txt');
    // Also while the emulator is still loading, and for the readiness probe.
    expect((await send(`${storage.url}/`, 'GET', { Host: `evil.example.com:${storage.port}` })).status).toBe(
      403,
    );
    for (const host of [`localhost:${storage.port}`, `127.0.0.1:${storage.port}`, 'storage.internal']) {
      expect((await send(`${storage.url}/b/${BUCKET}/o`, 'GET', { Host: host })).status).toBe(200);
    }
  });
});

describe('Firestore emulator', () => {
  const commitUrl = () => `${firestore.url}/v1/projects/${PROJECT}/databases/(default)/documents:commit`;

  it('gives a foreign origin no CORS and refuses its preflight and requests', async () => {
    const res = await preflight(commitUrl(), EVIL);
    expect(res.status).toBe(403);
    expect(res.headers['access-control-allow-origin']).toBeUndefined();
    const del = await send(
      `${firestore.url}/emulator/v1/projects/${PROJECT}/databases/(default)/documents`,
      'DELETE',
      { Origin: EVIL },
    );
    expect(del.status).toBe(403);
  });

  it('answers CORS (and private-network preflights) for loopback origins', async () => {
    const res = await preflight(commitUrl(), LOOPBACK_PAGE, {
      'Access-Control-Request-Private-Network': 'true',
    });
    expect(res.status).toBe(204);
    expect(res.headers['access-control-allow-origin']).toBe(LOOPBACK_PAGE);
    expect(res.headers['access-control-allow-private-network']).toBe('true');
  });

  it('refuses a foreign Host over HTTP/1.1', async () => {
    const res = await send(
      commitUrl(),
      'POST',
      { Host: 'evil.example.com', Authorization: 'Bearer owner' },
      '{}',
    );
    expect(res.status).toBe(403);
    expect(res.body).toMatch(/DNS rebinding/);
    const ok = await send(
      commitUrl(),
      'POST',
      { Host: `localhost:${firestore.port}`, Authorization: 'Bearer owner' },
      '{}',
    );
    expect(ok.status).toBe(200);
  });

  it('refuses a foreign :authority over gRPC with PERMISSION_DENIED', async () => {
    const call = (authority: string) =>
      new Promise<Record<string, unknown>>((resolve, reject) => {
        const client = connect(firestore.url);
        client.on('error', reject);
        const stream = client.request({
          ':method': 'POST',
          ':path': '/google.firestore.v1.Firestore/ListCollectionIds',
          ':authority': authority,
          'content-type': 'application/grpc',
          te: 'trailers',
          authorization: 'Bearer owner',
        });
        let headers: Record<string, unknown> = {};
        stream.on('response', (h) => (headers = { ...h }));
        stream.on('trailers', (t) => (headers = { ...headers, ...t }));
        stream.on('close', () => {
          client.close();
          resolve(headers);
        });
        stream.resume();
        // An empty ListCollectionIdsRequest (parent missing: the call itself fails, but later).
        stream.end(Buffer.from([0, 0, 0, 0, 0]));
      });
    const refused = await call('evil.example.com');
    expect(refused['grpc-status']).toBe('7');
    expect(decodeURIComponent(String(refused['grpc-message']))).toMatch(/DNS rebinding/);
    const allowed = await call(`127.0.0.1:${firestore.port}`);
    expect(allowed['grpc-status']).not.toBe('7');
  });
});
