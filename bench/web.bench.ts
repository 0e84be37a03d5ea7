// Web budgets: JavaScript the sign-in page loads (gzip), total JavaScript (gzip), and Largest
// Contentful Paint of the sign-in page in headless Chromium against `vite preview`.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build, preview } from 'vite';
import { launchChromium } from '../test/support/browser.js';
import { ROOT } from '../scripts/lib/project.js';
import { type BenchResult, report } from './harness.js';
import { WEB_BUDGETS } from './web-budgets.js';

interface ManifestChunk {
  file: string;
  imports?: string[];
  dynamicImports?: string[];
  isEntry?: boolean;
  isDynamicEntry?: boolean;
}

const outDir = mkdtempSync(join(tmpdir(), 'portal-bench-web-'));
Object.assign(process.env, {
  NODE_ENV: 'production',
  VITE_FIREBASE_API_KEY: 'bench-key',
  VITE_FIREBASE_PROJECT_ID: 'bench-project',
  VITE_FIREBASE_APP_ID: '1:1:web:bench',
});
const webRoot = join(ROOT, 'web');
await build({
  root: webRoot,
  configFile: join(webRoot, 'vite.config.ts'),
  logLevel: 'silent',
  build: { outDir, emptyOutDir: true, manifest: true, sourcemap: false },
});

const manifest = JSON.parse(readFileSync(join(outDir, '.vite', 'manifest.json'), 'utf8')) as Record<
  string,
  ManifestChunk
>;
const gz = (file: string): number => gzipSync(readFileSync(join(outDir, file))).length / 1024;

// The sign-in page loads the entry and its static imports; lazy chunks load later.
const entryKey = Object.keys(manifest).find((k) => manifest[k]?.isEntry);
const eager = new Set<string>();
const visit = (key: string): void => {
  const chunk = manifest[key];
  if (!chunk || eager.has(chunk.file)) return;
  eager.add(chunk.file);
  for (const dep of chunk.imports ?? []) visit(dep);
};
if (entryKey) visit(entryKey);
const allJs = new Set(
  Object.values(manifest)
    .map((c) => c.file)
    .filter((f) => f.endsWith('.js')),
);
const signInKb = [...eager].filter((f) => f.endsWith('.js')).reduce((sum, f) => sum + gz(f), 0);

// A page of the app (web/src/app/pages.ts) is a lazy chunk; opening it loads that chunk and its
// static imports on top of the entry's. The heaviest of them is what a deep link costs at worst.
const routeKb = (key: string): number => {
  const files = new Set(eager);
  const add = (k: string): void => {
    const chunk = manifest[k];
    if (!chunk || files.has(chunk.file)) return;
    files.add(chunk.file);
    for (const dep of chunk.imports ?? []) add(dep);
  };
  add(key);
  return [...files].filter((f) => f.endsWith('.js')).reduce((sum, f) => sum + gz(f), 0);
};
const routes = Object.keys(manifest)
  .filter((k) => k.startsWith('src/views/') && manifest[k]?.isDynamicEntry)
  .map((k) => ({ view: k.replace(/^src\/views\//, ''), kb: routeKb(k) }))
  .sort((a, b) => b.kb - a.kb);
const largestRoute = routes[0];
if (!largestRoute) throw new Error('no lazy page chunks in the manifest');
// The member's messages page, which brings the full Firestore SDK (onSnapshot) as its own chunk.
const messagesKb = routes.find((r) => r.view === 'messages.ts')?.kb;
if (messagesKb === undefined) throw new Error('no page chunk for views/messages.ts in the manifest');
const totalKb = [...allJs].reduce((sum, f) => sum + gz(f), 0);

const server = await preview({
  root: webRoot,
  configFile: join(webRoot, 'vite.config.ts'),
  logLevel: 'silent',
  build: { outDir },
  preview: { port: 0, strictPort: false, host: '127.0.0.1' },
});
const url = server.resolvedUrls?.local[0];
if (!url) throw new Error('vite preview reported no URL');
const browser = await launchChromium();
const lcp: number[] = [];
for (let run = 0; run < 7; run++) {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  await page.goto(url, { waitUntil: 'load' });
  await page.getByRole('button', { name: 'Sign in' }).waitFor();
  const value = await page.evaluate(
    () =>
      new Promise<number>((resolve) => {
        new PerformanceObserver((list) => {
          const entries = list.getEntries();
          resolve(entries[entries.length - 1]?.startTime ?? Number.NaN);
        }).observe({ type: 'largest-contentful-paint', buffered: true });
      }),
  );
  lcp.push(value);
  await context.close();
}
await browser.close();
await new Promise<void>((resolve) => server.httpServer.close(() => resolve()));
rmSync(outDir, { recursive: true, force: true });

const results: BenchResult[] = [
  {
    name: 'web: JS loaded by the sign-in page',
    method: 'production build; gzip of the entry chunk and its static imports',
    unit: 'KB gzip',
    samples: [signInKb],
    budget: WEB_BUDGETS.signInPageKb,
    better: 'lower',
    anchor: 'Firebase SDK floor with Firestore Lite ≈ 71 KB',
  },
  {
    name: 'web: JS loaded by the largest page',
    method: `production build; gzip of the entry, the page's chunk and their static imports; largest is views/${largestRoute.view}`,
    unit: 'KB gzip',
    samples: [largestRoute.kb],
    budget: WEB_BUDGETS.largestPageKb,
    better: 'lower',
    anchor: 'full firebase/firestore with persistentMultipleTabManager ≈ 151 KB of it',
  },
  {
    name: 'web: JS loaded by the messages page',
    method:
      "production build; gzip of the entry, views/messages.ts's chunk and their static imports (the full Firestore SDK among them)",
    unit: 'KB gzip',
    samples: [messagesKb],
    better: 'lower',
    anchor: 'the first load plus the route',
  },
  {
    name: 'web: total JS',
    method: 'production build; gzip of every JS chunk',
    unit: 'KB gzip',
    samples: [totalKb],
    budget: WEB_BUDGETS.totalKb,
    better: 'lower',
  },
  {
    name: 'web: LCP of the sign-in page',
    method: 'headless Chromium (390×844) against vite preview, fresh context per run',
    unit: 'ms',
    samples: lcp,
    budget: WEB_BUDGETS.signInLcpMs,
    better: 'lower',
  },
];
report(results);
process.exit(0);
