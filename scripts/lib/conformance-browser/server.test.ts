import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveUnder, type StaticServer, startStaticServer } from './server.js';

describe('browser conformance static server', () => {
  const root = mkdtempSync(join(tmpdir(), 'cb-server-'));
  let server: StaticServer;
  beforeAll(async () => {
    writeFileSync(join(root, 'a.js'), 'export const a = 1;');
    writeFileSync(join(tmpdir(), 'cb-server-outside.txt'), 'secret');
    server = await startStaticServer({ '/bundle/': root }, { '/mocha.js': join(root, 'a.js') });
  });
  afterAll(() => server.close());

  it('keeps paths inside the mounted folder', () => {
    expect(resolveUnder(root, 'a.js')).toBe(join(root, 'a.js'));
    expect(resolveUnder(root, '../cb-server-outside.txt')).toBeUndefined();
    expect(resolveUnder(root, '%2e%2e/cb-server-outside.txt')).toBeUndefined();
    expect(resolveUnder(root, '..%5ccb-server-outside.txt')).toBeUndefined();
    expect(resolveUnder(root, '%E0%A4%A')).toBeUndefined();
  });

  it('serves bundle files as JavaScript (module scripts need a JavaScript MIME type), pages and 404s', async () => {
    const js = await fetch(`${server.origin}/bundle/a.js`);
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect(await js.text()).toBe('export const a = 1;');
    expect((await fetch(`${server.origin}/mocha.js`)).status).toBe(200);
    server.setPage('/run/x.html', '<p>hi</p>');
    const page = await fetch(`${server.origin}/run/x.html`);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await page.text()).toBe('<p>hi</p>');
    expect((await fetch(`${server.origin}/bundle/missing.js`)).status).toBe(404);
    expect((await fetch(`${server.origin}/elsewhere`)).status).toBe(404);
  });
});
