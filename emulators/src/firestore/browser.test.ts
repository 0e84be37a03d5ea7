/**
 * `firebase/firestore/lite` in a real browser: a tiny page bundled with Vite's build API, served
 * from its own origin (so every call is cross-origin with a CORS preflight), driven by headless
 * Chromium through playwright-core.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FirestoreEmulatorHandle } from './index.js';
import { allowAll, startTestEmulator } from './test-support/clients.js';

const HERE = fileURLToPath(import.meta.url);
const CHROMIUM = '/usr/bin/chromium';

const PAGE_SCRIPT = `
import { initializeApp } from 'firebase/app';
import {
  getFirestore, connectFirestoreEmulator, doc, setDoc, getDoc, getDocs, collection, query, where,
  orderBy, runTransaction, getCount, updateDoc,
} from 'firebase/firestore/lite';

async function run() {
  const params = new URLSearchParams(location.search);
  const app = initializeApp({ projectId: 'demo-browser', apiKey: 'fake' });
  const db = getFirestore(app);
  connectFirestoreEmulator(db, '127.0.0.1', Number(params.get('port')), { mockUserToken: { sub: 'web-user' } });
  await setDoc(doc(db, 'items/a'), { n: 1, owner: 'web-user' });
  await setDoc(doc(db, 'items/b'), { n: 2, owner: 'web-user' });
  await runTransaction(db, async (tx) => {
    const s = await tx.get(doc(db, 'items/a'));
    tx.update(doc(db, 'items/a'), { n: s.get('n') + 10 });
  });
  let denied = '';
  try { await updateDoc(doc(db, 'items/missing'), { n: 1 }); } catch (e) { denied = e.code; }
  const got = await getDoc(doc(db, 'items/a'));
  const q = await getDocs(query(collection(db, 'items'), where('owner', '==', 'web-user'), orderBy('n', 'desc')));
  const count = await getCount(collection(db, "items"));
  return { a: got.get('n'), order: q.docs.map((d) => d.id), count: count.data().count, denied };
}
run().then((r) => { window.__result = r; }, (e) => { window.__result = { error: String(e && e.stack || e) }; });
`;

let h: FirestoreEmulatorHandle;
let dir: string;
let site: Server;
let sitePort: number;

beforeAll(async () => {
  h = await startTestEmulator({ projectId: 'demo-browser', rulesCompiler: allowAll, rules: 'allow all' });
  dir = await mkdtemp(join(tmpdir(), 'fs-browser-'));
  await writeFile(
    join(dir, 'index.html'),
    '<!doctype html><html><body><script type="module" src="./main.js"></script></body></html>',
  );
  await writeFile(join(dir, 'main.js'), PAGE_SCRIPT);
  await build({
    root: dir,
    logLevel: 'silent',
    configFile: false,
    build: { outDir: join(dir, 'dist'), emptyOutDir: true },
    plugins: [
      {
        name: 'resolve-firebase-from-repo',
        // The page lives in a temp dir; resolve the SDK as if imported from this repository.
        async resolveId(id, _importer, options) {
          if (!id.startsWith('firebase/')) return null;
          return this.resolve(id, HERE, { ...options, skipSelf: true });
        },
      },
    ],
  });
  site = createServer(async (req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const file = join(dir, 'dist', path === '/' ? 'index.html' : path);
    try {
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': extname(file) === '.js' ? 'text/javascript' : 'text/html' });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((r) => site.listen(0, '127.0.0.1', r));
  sitePort = (site.address() as AddressInfo).port;
}, 120_000);

afterAll(async () => {
  site?.close();
  await h?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('lite SDK in Chromium', () => {
  it('writes, reads, queries and runs a transaction cross-origin', { timeout: 90_000 }, async () => {
    expect(existsSync(CHROMIUM)).toBe(true);
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
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
    try {
      const page = await browser.newPage();
      await page.goto(`http://127.0.0.1:${sitePort}/?port=${h.port}`);
      await page.waitForFunction(
        () => (globalThis as unknown as { __result?: unknown }).__result !== undefined,
        null,
        {
          timeout: 60_000,
        },
      );
      const result = await page.evaluate(() => (globalThis as unknown as { __result: unknown }).__result);
      expect(result).toEqual({ a: 11, order: ['a', 'b'], count: 2, denied: 'not-found' });
    } finally {
      await browser.close();
    }
  });
});
