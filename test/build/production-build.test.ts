import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../../scripts/lib/project.js';
import { WEB_BUDGETS } from '../../bench/web-budgets.js';

const outDir = mkdtempSync(join(tmpdir(), 'portal-prod-'));
const PROD_ENV = {
  VITE_FIREBASE_API_KEY: 'prod-key-from-env',
  VITE_FIREBASE_PROJECT_ID: 'member-portal-prod',
  VITE_FIREBASE_APP_ID: '1:123:web:abc',
};
let javascript = '';

async function buildWeb(env: Record<string, string>, dir: string): Promise<void> {
  const saved = { ...process.env };
  // Vitest sets NODE_ENV=test, which would make Vite build a development bundle.
  Object.assign(process.env, { NODE_ENV: 'production' }, env);
  try {
    await build({
      root: join(ROOT, 'web'),
      configFile: join(ROOT, 'web', 'vite.config.ts'),
      logLevel: 'silent',
      build: { outDir: dir, emptyOutDir: true, sourcemap: false },
    });
  } finally {
    process.env = saved;
  }
}

beforeAll(async () => {
  await buildWeb(PROD_ENV, outDir);
  const assets = join(outDir, 'assets');
  javascript = readdirSync(assets)
    .filter((f) => f.endsWith('.js'))
    .map((f) => readFileSync(join(assets, f), 'utf8'))
    .join('\n');
}, 60_000);
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

describe('production build of web/', () => {
  it('takes its Firebase config from the environment', () => {
    expect(javascript).toContain('prod-key-from-env');
    expect(javascript).toContain('member-portal-prod');
    expect(javascript).not.toContain('demo-member-portal');
    expect(javascript).not.toContain('demo-api-key');
  });

  it('contains no emulator wiring (dev-only module, hosts and ports)', () => {
    expect(javascript).not.toContain('connectAllEmulators');
    expect(javascript).not.toMatch(/127\.0\.0\.1|:9099|:8080|:9199|:5001/);
    expect(javascript).not.toContain('VITE_EMULATOR_HOST');
  });

  it('contains none of the development email and SMS helpers', () => {
    expect(javascript).not.toContain('oobCodes');
    expect(javascript).not.toContain('verificationCodes');
    expect(javascript).not.toContain('Open the verification email');
    expect(javascript).not.toContain('Open the password reset email');
    expect(javascript).not.toContain('dev-hint');
  });

  it(`keeps the sign-in page within ${WEB_BUDGETS.signInPageKb} KB and all JavaScript within ${WEB_BUDGETS.totalKb} KB (gzip; bench/web-budgets.ts)`, () => {
    const gzipKb = (file: string) => gzipSync(readFileSync(join(outDir, file))).length / 1024;
    const html = readFileSync(join(outDir, 'index.html'), 'utf8');
    // The entry script and what it preloads is what the sign-in page loads; the rest is lazy.
    const signInPage = [...html.matchAll(/(?:src|href)="\/(assets\/[^"]+\.js)"/g)].map((m) => m[1] as string);
    expect(signInPage.length).toBeGreaterThan(0);
    const all = readdirSync(join(outDir, 'assets'))
      .filter((f) => f.endsWith('.js'))
      .map((f) => `assets/${f}`);
    const signInKb = signInPage.reduce((sum, f) => sum + gzipKb(f), 0);
    const totalKb = all.reduce((sum, f) => sum + gzipKb(f), 0);
    expect(signInKb).toBeLessThanOrEqual(WEB_BUDGETS.signInPageKb);
    expect(totalKb).toBeLessThanOrEqual(WEB_BUDGETS.totalKb);
    // The account page and the second factor are not part of the sign-in page.
    expect(signInPage.filter((f) => /\/(account|mfa|second-factor|home|profile)-/.test(f))).toEqual([]);
  });

  it('refuses to build without the production config', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'portal-prod-missing-'));
    try {
      await expect(buildWeb({ VITE_FIREBASE_API_KEY: '' }, dir)).rejects.toThrow(/VITE_FIREBASE_API_KEY/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
