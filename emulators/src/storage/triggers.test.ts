import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { deleteObject, ref, updateMetadata, uploadBytesResumable, uploadString } from 'firebase/storage';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type StorageEmulatorHandle, startStorageEmulator } from './index.js';
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
});
