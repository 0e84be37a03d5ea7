import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { type Browser, chromium } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type StorageEmulatorHandle, startStorageEmulator } from './index.js';
import { TEST_RULES } from './test-clients.js';

// firebase/storage in real Chromium: XHR uploads, CORS preflights, exposed x-goog-upload-* headers.
const PROJECT = 'demo-browser';
const firebaseDir = dirname(createRequire(import.meta.url).resolve('firebase/package.json'));

const PAGE_SCRIPT = `
import { initializeApp } from 'firebase/app';
import {
  connectStorageEmulator, deleteObject, getBlob, getBytes, getDownloadURL, getMetadata, getStorage,
  listAll, ref, updateMetadata, uploadBytes, uploadBytesResumable,
} from 'firebase/storage';

window.runStorage = async (port, projectId) => {
  const out = {};
  const client = (name, token) => {
    const app = initializeApp({ projectId, apiKey: 'fake', storageBucket: projectId + '.appspot.com', appId: 'x' }, name);
    const s = getStorage(app);
    connectStorageEmulator(s, '127.0.0.1', port, token ? { mockUserToken: token } : {});
    return s;
  };
  const alice = client('alice', { user_id: 'alice', sub: 'alice' });
  const bob = client('bob', { user_id: 'bob', sub: 'bob' });
  const enc = new TextEncoder();
  const small = await uploadBytes(ref(alice, 'users/alice/b/hello.txt'), enc.encode('hi from chromium'), {
    contentType: 'text/plain', customMetadata: { from: 'browser' },
  });
  out.smallSize = small.metadata.size;
  const big = new Uint8Array(1024 * 1024 + 7);
  for (let i = 0; i < big.length; i++) big[i] = (i * 31) % 256;
  const task = uploadBytesResumable(ref(alice, 'users/alice/b/big.bin'), big, { contentType: 'application/octet-stream' });
  const progress = [];
  task.on('state_changed', (s) => progress.push(s.bytesTransferred));
  const done = await task;
  out.progress = progress;
  out.bigSize = done.metadata.size;
  const blob = await getBlob(ref(alice, 'users/alice/b/big.bin'));
  const back = new Uint8Array(await blob.arrayBuffer());
  out.bigEqual = back.length === big.length && back.every((v, i) => v === big[i]);
  out.text = await (await getBlob(ref(alice, 'users/alice/b/hello.txt'))).text();
  out.bytes = new TextDecoder().decode(await getBytes(ref(alice, 'users/alice/b/hello.txt')));
  const url = await getDownloadURL(ref(alice, 'users/alice/b/hello.txt'));
  out.viaUrl = await (await fetch(url)).text();
  out.meta = (await updateMetadata(ref(alice, 'users/alice/b/hello.txt'), { customMetadata: { x: '1' } })).customMetadata;
  out.listed = (await listAll(ref(alice, 'users/alice/b'))).items.map((i) => i.name);
  out.denied = await getMetadata(ref(bob, 'users/alice/b/hello.txt')).then(() => 'ok', (e) => e.code);
  await deleteObject(ref(alice, 'users/alice/b/hello.txt'));
  out.afterDelete = await getMetadata(ref(alice, 'users/alice/b/hello.txt')).then(() => 'ok', (e) => e.code);
  return out;
};
`;

let em: StorageEmulatorHandle;
let web: Server;
let browser: Browser;
let work: string;
let pageUrl: string;

beforeAll(async () => {
  em = await startStorageEmulator({
    projectId: PROJECT,
    rules: TEST_RULES,
    log: () => undefined,
  });
  work = await mkdtemp(join(tmpdir(), 'storage-browser-test-'));
  await writeFile(join(work, 'main.js'), PAGE_SCRIPT);
  await build({
    configFile: false,
    logLevel: 'silent',
    root: work,
    resolve: {
      alias: [{ find: /^firebase\//, replacement: `${firebaseDir}/` }],
    },
    build: {
      outDir: join(work, 'dist'),
      minify: false,
      lib: {
        entry: join(work, 'main.js'),
        formats: ['iife'],
        name: 'StorageTest',
        fileName: () => 'bundle.js',
      },
    },
  });
  const bundle = await readFile(join(work, 'dist', 'bundle.js'));
  // The page is served from its own origin, so every emulator call is cross-origin.
  web = createServer((req, res) => {
    if (req.url === '/bundle.js') res.writeHead(200, { 'Content-Type': 'text/javascript' }).end(bundle);
    else
      res
        .writeHead(200, { 'Content-Type': 'text/html' })
        .end('<!doctype html><script src="/bundle.js"></script>');
  });
  await new Promise<void>((r) => web.listen(0, '127.0.0.1', r));
  pageUrl = `http://localhost:${(web.address() as AddressInfo).port}/`;
  browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
    ],
  });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((r) => web?.close(r));
  await em?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

describe('firebase/storage in Chromium', () => {
  // The page origin (localhost:A) differs from the emulator (127.0.0.1:B) and the SDK sends
  // Authorization and X-Goog-* headers, so every call needs a passing preflight.
  it('uploads, downloads, lists, updates and deletes across origins', async () => {
    const page = await browser.newPage();
    await page.goto(pageUrl);
    const result = (await page.evaluate(
      ([port, project]) =>
        (
          globalThis as unknown as {
            runStorage(p: number, id: string): Promise<unknown>;
          }
        ).runStorage(port, project),
      [em.port, PROJECT] as const,
    )) as Record<string, unknown>;
    expect(result['smallSize']).toBe(16);
    expect(result['bigSize']).toBe(1024 * 1024 + 7);
    const progress = result['progress'] as number[];
    expect(progress.at(-1)).toBe(1024 * 1024 + 7);
    expect(progress.length).toBeGreaterThan(1);
    expect(result['bigEqual']).toBe(true);
    expect(result['text']).toBe('hi from chromium');
    expect(result['bytes']).toBe('hi from chromium');
    expect(result['viaUrl']).toBe('hi from chromium');
    expect(result['meta']).toEqual({ from: 'browser', x: '1' });
    expect(result['listed']).toEqual(['big.bin', 'hello.txt']);
    expect(result['denied']).toBe('storage/unauthorized');
    expect(result['afterDelete']).toBe('storage/object-not-found');
    await page.close();
  }, 60_000);

  it('answers CORS preflights with the headers the SDK needs', async () => {
    const res = await fetch(`${em.url}/v0/b/${PROJECT}.appspot.com/o?name=x`, {
      method: 'OPTIONS',
      headers: {
        Origin: 'http://localhost:5173',
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'authorization,x-goog-upload-command,x-goog-upload-protocol',
      },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    expect(res.headers.get('access-control-allow-methods')).toContain('PATCH');
    expect(res.headers.get('access-control-allow-headers')).toBe(
      'authorization,x-goog-upload-command,x-goog-upload-protocol',
    );
    const get = await fetch(`${em.url}/`, {
      headers: { Origin: 'http://localhost:5173' },
    });
    expect(get.headers.get('access-control-expose-headers')).toContain('x-goog-upload-url');
    expect(get.headers.get('access-control-expose-headers')).toContain('x-goog-upload-status');
  });
});
