import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { deleteObject, ref, updateMetadata, uploadBytesResumable, uploadString } from 'firebase/storage';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type StorageEmulatorHandle, startStorageEmulator } from './index.js';
import { STOP_GRACE_MS } from './triggers.js';
import { TEST_RULES, type WebClient, webClient } from './test-clients.js';

const PROJECT = 'demo-triggers';
const BUCKET = `${PROJECT}.appspot.com`;

interface Captured {
  url: string;
  contentType: string;
  body: Record<string, unknown>;
}

// A capture server standing in for the Functions emulator's trigger_multicast endpoint.
let functions: Server;
let captured: Captured[] = [];
let em: StorageEmulatorHandle;
let alice: WebClient;
let bob: WebClient;

async function readAll(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req as AsyncIterable<Buffer>) chunks.push(c);
  return Buffer.concat(chunks).toString('utf8');
}

beforeAll(async () => {
  functions = createServer(async (req, res) => {
    captured.push({
      url: req.url ?? '',
      contentType: req.headers['content-type'] ?? '',
      body: JSON.parse(await readAll(req)) as Record<string, unknown>,
    });
    res.writeHead(200, { 'Content-Type': 'application/json' }).end('{"status":"multicast_acknowledged"}');
  });
  await new Promise<void>((r) => functions.listen(0, '127.0.0.1', r));
  const port = (functions.address() as AddressInfo).port;
  em = await startStorageEmulator({
    projectId: PROJECT,
    rules: TEST_RULES,
    functions: { host: '127.0.0.1', port },
    log: () => undefined,
  });
  alice = webClient(em, PROJECT, 'alice');
  bob = webClient(em, PROJECT, 'bob');
});

afterAll(async () => {
  await alice.close();
  await bob.close();
  await em.stop();
  await new Promise((r) => functions.close(r));
});

beforeEach(() => {
  captured = [];
});

const types = () => captured.map((c) => (c.body['type'] ?? c.body['eventType']) as string);

describe('Storage → Functions emulator events', () => {
  it('finalize posts a legacy event and a CloudEvent with the object resource', async () => {
    await uploadString(ref(alice.storage, 'users/alice/t.txt'), 'hi', 'raw', {
      contentType: 'text/plain',
    });
    await em.flushTriggers();
    expect(captured).toHaveLength(2);
    const [legacy, ce] = captured as [Captured, Captured];
    expect(legacy.url).toBe(`/functions/projects/${PROJECT}/trigger_multicast`);
    expect(legacy.contentType).toBe('application/json');
    expect(legacy.body).toMatchObject({
      eventType: 'google.storage.object.finalize',
      resource: {
        service: 'storage.googleapis.com',
        name: `projects/_/buckets/${BUCKET}/objects/users/alice/t.txt`,
        type: 'storage#object',
      },
      data: {
        kind: 'storage#object',
        bucket: BUCKET,
        name: 'users/alice/t.txt',
        size: '2',
        contentType: 'text/plain',
      },
    });
    expect(ce.url).toBe(`/functions/projects/${PROJECT}/trigger_multicast`);
    expect(ce.contentType).toBe('application/cloudevents+json; charset=UTF-8');
    expect(ce.body).toMatchObject({
      specversion: '1.0',
      type: 'google.cloud.storage.object.v1.finalized',
      source: `//storage.googleapis.com/projects/_/buckets/${BUCKET}/objects/users/alice/t.txt`,
      data: {
        bucket: BUCKET,
        name: 'users/alice/t.txt',
        md5Hash: 'SfaKXIST7CwL9ImCHCH8Ow==' /* md5('hi') */,
      },
    });
    expect(ce.body['time']).toBe((ce.body['data'] as { updated: string }).updated);
  });

  it('fires for resumable uploads, metadata updates and deletes, in order', async () => {
    const r = ref(alice.storage, 'users/alice/big.bin');
    await uploadBytesResumable(r, randomBytes(1_500_000));
    await updateMetadata(r, { customMetadata: { k: 'v' } });
    await deleteObject(r);
    await em.flushTriggers();
    expect(types()).toEqual([
      'google.storage.object.finalize',
      'google.cloud.storage.object.v1.finalized',
      'google.storage.object.metadataUpdate',
      'google.cloud.storage.object.v1.metadataUpdated',
      'google.storage.object.delete',
      'google.cloud.storage.object.v1.deleted',
    ]);
    expect((captured[0]?.body['data'] as { size: string }).size).toBe('1500000');
    expect((captured[2]?.body['data'] as { metadata: Record<string, string> }).metadata['k']).toBe('v');
  });

  it('fires finalize for a zero-byte resumable upload (raw Firebase protocol)', async () => {
    const start = await fetch(`${em.url}/v0/b/${BUCKET}/o?name=users%2Falice%2Fempty.bin`, {
      method: 'POST',
      headers: {
        Authorization: 'Firebase owner',
        'X-Goog-Upload-Protocol': 'resumable',
        'X-Goog-Upload-Command': 'start',
        'X-Goog-Upload-Header-Content-Length': '0',
      },
      body: '{}',
    });
    const url = start.headers.get('x-goog-upload-url')!;
    const fin = await fetch(url, {
      method: 'POST',
      headers: {
        Authorization: 'Firebase owner',
        'X-Goog-Upload-Command': 'upload, finalize',
        'X-Goog-Upload-Offset': '0',
      },
    });
    expect(fin.status).toBe(200);
    await em.flushTriggers();
    expect(types()).toEqual(['google.storage.object.finalize', 'google.cloud.storage.object.v1.finalized']);
    expect(captured[1]?.body['data']).toMatchObject({
      name: 'users/alice/empty.bin',
      size: '0',
      md5Hash: '1B2M2Y8AsgTpgAmY7PhCfg==',
    });
  });

  it('a denied upload fires nothing', async () => {
    await expect(uploadString(ref(bob.storage, 'users/alice/no.txt'), 'x', 'raw')).rejects.toMatchObject({
      code: 'storage/unauthorized',
    });
    await expect(
      uploadBytesResumable(ref(bob.storage, 'users/alice/no.bin'), randomBytes(400_000)),
    ).rejects.toMatchObject({
      code: 'storage/unauthorized',
    });
    await em.flushTriggers();
    expect(captured).toEqual([]);
  });

  it('an unreachable Functions emulator is logged and the upload still succeeds', async () => {
    const logs: string[] = [];
    const lonely = await startStorageEmulator({
      projectId: PROJECT,
      rules: TEST_RULES,
      functions: { host: '127.0.0.1', port: 1 },
      log: (m) => logs.push(m),
    });
    const c = webClient(lonely, PROJECT, 'alice');
    try {
      const up = await uploadString(ref(c.storage, 'users/alice/x.txt'), 'x', 'raw', {
        contentType: 'text/plain',
      });
      expect(up.metadata.size).toBe(1);
      await lonely.flushTriggers();
      expect(logs.some((l) => l.includes('Could not deliver finalize event'))).toBe(true);
      expect((await fetch(`${lonely.url}/`)).status).toBe(200);
    } finally {
      await c.close();
      await lonely.stop();
    }
  });

  // firebase-tools' Storage integration suite (scripts/storage-emulator-integration/utils.ts,
  // EMULATORS_SHUTDOWN_DELAY_MS) gives the emulators 5 s to stop; waiting for every event a slow
  // Functions emulator has not answered (up to 60 s each) made its "after all" hook time out.
  it('stop() gives up on events a slow Functions emulator has not answered after STOP_GRACE_MS (firebase-tools suite: emulators stop within EMULATORS_SHUTDOWN_DELAY_MS = 5 s)', async () => {
    const received: string[] = [];
    const slow = createServer((req, res) => {
      received.push(req.headers['content-type'] ?? '');
      req.resume();
      const timer = setTimeout(() => res.end('{}'), 30_000);
      res.on('close', () => clearTimeout(timer));
    });
    await new Promise<void>((r) => slow.listen(0, '127.0.0.1', r));
    const logs: string[] = [];
    const em2 = await startStorageEmulator({
      projectId: PROJECT,
      rules: TEST_RULES,
      functions: { host: '127.0.0.1', port: (slow.address() as AddressInfo).port },
      log: (m) => logs.push(m),
    });
    const c = webClient(em2, PROJECT, 'alice');
    try {
      await uploadString(ref(c.storage, 'users/alice/a.txt'), 'a', 'raw', { contentType: 'text/plain' });
      await uploadString(ref(c.storage, 'users/alice/b.txt'), 'b', 'raw', { contentType: 'text/plain' });
      await c.close();
      const started = Date.now();
      await em2.stop();
      const took = Date.now() - started;
      expect(took).toBeGreaterThanOrEqual(STOP_GRACE_MS - 50);
      expect(took).toBeLessThan(STOP_GRACE_MS + 2_000);
      // The first event's first body reached the Functions emulator; nothing was sent after stop.
      expect(received).toEqual(['application/json']);
      expect(logs.filter((l) => l.startsWith('Stopped without delivering 2 event(s)'))).toHaveLength(1);
      expect(logs.some((l) => l.includes('Could not deliver'))).toBe(false);
    } finally {
      slow.closeAllConnections();
      await new Promise((r) => slow.close(r));
    }
  });

  it('stop() still waits for events a Functions emulator answers within STOP_GRACE_MS', async () => {
    captured = [];
    const port = (functions.address() as AddressInfo).port;
    const em3 = await startStorageEmulator({
      projectId: PROJECT,
      rules: TEST_RULES,
      functions: { host: '127.0.0.1', port },
      log: () => undefined,
    });
    const c = webClient(em3, PROJECT, 'alice');
    await uploadString(ref(c.storage, 'users/alice/c.txt'), 'c', 'raw', { contentType: 'text/plain' });
    await c.close();
    await em3.stop();
    expect(captured.map((e) => e.contentType)).toEqual([
      'application/json',
      'application/cloudevents+json; charset=UTF-8',
    ]);
  });
});
