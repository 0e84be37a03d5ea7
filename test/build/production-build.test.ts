import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'vite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../../scripts/lib/project.js';

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

  it('refuses to build without the production config', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'portal-prod-missing-'));
    try {
      await expect(buildWeb({ VITE_FIREBASE_API_KEY: '' }, dir)).rejects.toThrow(/VITE_FIREBASE_API_KEY/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
