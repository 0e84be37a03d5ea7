/**
 * The full `firebase/firestore` SDK in a real browser over WebChannel: a tiny page bundled with
 * Vite's build API, served from its own origin (every call is cross-origin, with credentials),
 * driven by headless Chromium through playwright-core — once with experimentalForceLongPolling and
 * once with the default (auto-detect, streaming back channel).
 */
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium } from 'playwright-core';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FirestoreEmulatorHandle } from '../index.js';
import { adminClient, startTestEmulator } from '../test-support/clients.js';
import { channelServerOf } from './channel.js';

const HERE = fileURLToPath(import.meta.url);
const CHROMIUM = '/usr/bin/chromium';
const PROJECT = 'demo-wc-browser';

const RULES = `rules_version = '2';
service cloud.firestore {
  match /databases/{database}/documents {
    match /rooms/{room}/items/{id} { allow read, write: if request.auth != null; }
    match /secret/{id} { allow read, write: if false; }
  }
}`;

const PAGE_SCRIPT = `
import { initializeApp } from 'firebase/app';
import {
  initializeFirestore, connectFirestoreEmulator, doc, setDoc, updateDoc, collection, onSnapshot,
  runTransaction, setLogLevel, terminate,
} from 'firebase/firestore';

setLogLevel('debug');
const params = new URLSearchParams(location.search);
const room = params.get('room');
const app = initializeApp({ projectId: '${PROJECT}', apiKey: 'fake' });
const db = initializeFirestore(app, params.get('lp') ? { experimentalForceLongPolling: true } : {});
connectFirestoreEmulator(db, '127.0.0.1', Number(params.get('port')), { mockUserToken: { sub: 'web-user' } });

function waitFor(pred) {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('timed out')), 20000);
    const check = () => { if (pred()) { clearTimeout(t); resolve(); } else setTimeout(check, 10); };
    check();
  });
}

async function run() {
  const items = collection(db, 'rooms', room, 'items');
  let latest = null;
  // With metadata changes: a document whose write is acknowledged after the listen already showed
  // its data changes only hasPendingWrites, which plain listeners are not told about (the same
  // against Google's emulator).
  const unsub = onSnapshot(items, { includeMetadataChanges: true }, (s) => {
    latest = Object.fromEntries(s.docs.filter((d) => !d.metadata.hasPendingWrites).map((d) => [d.id, d.data()]));
  });
  await waitFor(() => latest !== null);
  window.__listening = true;
  // The test writes rooms/<room>/items/fromAdmin with firebase-admin now.
  await waitFor(() => latest.fromAdmin !== undefined);
  const adminSeen = latest.fromAdmin.by;
  await setDoc(doc(items, 'mine'), { n: 1 });
  await updateDoc(doc(items, 'mine'), { n: 2 });
  await waitFor(() => latest.mine && latest.mine.n === 2);
  await runTransaction(db, async (tx) => {
    const s = await tx.get(doc(items, 'mine'));
    tx.update(doc(items, 'mine'), { n: s.get('n') + 10 });
  });
  await waitFor(() => latest.mine && latest.mine.n === 12);
  const denied = await new Promise((resolve) => {
    onSnapshot(doc(db, 'secret/x'), () => resolve('allowed'), (e) => resolve(e.code));
  });
  unsub();
  await terminate(db);
  return { adminSeen, mine: latest.mine.n, denied };
}
run().then((r) => { window.__result = r; }, (e) => { window.__result = { error: String(e && e.stack || e) }; });
`;

let h: FirestoreEmulatorHandle;
let dir: string;
let site: Server;
let sitePort: number;
let browser: Browser;

beforeAll(async () => {
  h = await startTestEmulator({ projectId: PROJECT, rules: RULES });
  dir = await mkdtemp(join(tmpdir(), 'fs-webchannel-'));
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
  browser = await chromium.launch({
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
}, 120_000);

afterAll(async () => {
  await browser?.close();
  site?.close();
  await h?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
});

function decodeForm(body: string | null): string {
  return [...new URLSearchParams(body ?? '').values()].join('\n');
}

interface PageRun {
  result: unknown;
  /** The CI values of the page's back-channel requests: '1' long polling, '0' streaming. */
  backChannels: string[];
  /** Whether a Listen request carried an addTarget with a resumeToken (a resumed target). */
  resumed: boolean;
}

/** `disrupt` runs once the page listens, before the admin write it must see. */
async function runPage(room: string, longPolling: boolean, disrupt?: () => Promise<void>): Promise<PageRun> {
  const page = await browser.newPage();
  // The SDK's debug log, printed only when the page fails (it names every channel message).
  const log: string[] = [];
  const backChannels = new Set<string>();
  let resumed = false;
  try {
    page.on('console', (m) => log.push(m.text().slice(0, 300)));
    page.on('request', (r) => {
      const u = new URL(r.url());
      if (u.searchParams.get('TYPE') === 'xmlhttp') backChannels.add(u.searchParams.get('CI') ?? '');
      if (u.pathname.endsWith('/Listen/channel') && /"resumeToken":"[^"]/.test(decodeForm(r.postData()))) {
        resumed = true;
      }
    });
    const lp = longPolling ? '&lp=1' : '';
    await page.goto(`http://127.0.0.1:${sitePort}/?port=${h.port}&room=${room}${lp}`);
    // Playwright sends only the function's text to the page, so the flag's name goes as its argument
    // (a captured variable would resolve to window.name there).
    const isSet = (name: string) => (globalThis as Record<string, unknown>)[name] !== undefined;
    await page.waitForFunction(isSet, '__listening', { timeout: 30_000 });
    await disrupt?.();
    await adminClient(h).doc(`rooms/${room}/items/fromAdmin`).set({ by: 'admin' });
    await page.waitForFunction(isSet, '__result', { timeout: 30_000 });
    const result = await page.evaluate(() => (globalThis as Record<string, unknown>)['__result']);
    if (result && typeof result === 'object' && 'error' in result) console.log(log.slice(-60).join('\n'));
    return { result, backChannels: [...backChannels].sort(), resumed };
  } catch (e) {
    console.log(log.slice(-60).join('\n'));
    throw e;
  } finally {
    await page.close();
  }
}

describe('full SDK over WebChannel in Chromium', () => {
  it(
    'experimentalForceLongPolling: onSnapshot sees an admin write, setDoc/updateDoc, runTransaction; a denied listen reports permission-denied',
    { timeout: 90_000 },
    async () => {
      expect(existsSync(CHROMIUM)).toBe(true);
      const run = await runPage('lp', true);
      expect(run.result).toEqual({ adminSeen: 'admin', mine: 12, denied: 'permission-denied' });
      expect(run.backChannels).toEqual(['1']);
    },
  );

  it('default (auto-detect, streaming back channel): the same', { timeout: 90_000 }, async () => {
    const run = await runPage('stream', false);
    expect(run.result).toEqual({ adminSeen: 'admin', mine: 12, denied: 'permission-denied' });
    // Auto-detection kept the streaming back channel (it falls back to long polling when a stream
    // delivers nothing in time).
    expect(run.backChannels).toEqual(['0']);
  });

  it(
    'reconnect: sessions dropped server-side (back channels cut, then Unknown SID) — the SDK opens new channels, resumes its target and sees the admin write; writes go through',
    { timeout: 90_000 },
    async () => {
      const server = channelServerOf(h.core);
      for (const longPolling of [false, true]) {
        let dropped = 0;
        const run = await runPage(`re${longPolling ? 'lp' : 'st'}`, longPolling, async () => {
          dropped = server.liveSessions;
          server.closeAll();
        });
        expect(dropped).toBeGreaterThan(0);
        expect(run.resumed).toBe(true);
        expect(run.result).toEqual({ adminSeen: 'admin', mine: 12, denied: 'permission-denied' });
      }
    },
  );

  it("terminate() closes the page's sessions: none are left open", { timeout: 30_000 }, async () => {
    const server = channelServerOf(h.core);
    const deadline = Date.now() + 10_000;
    while (server.liveSessions > 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    expect(server.liveSessions).toBe(0);
  });
});
