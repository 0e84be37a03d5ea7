import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../project.js';
import { bundleSuite, entryName } from './bundle.js';

function write(root: string, path: string, text: string): void {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), text);
}

describe('browser conformance bundle', () => {
  it('names one chunk per test file', () => {
    expect(entryName('test/integration/api/query.test.ts')).toBe('tests/test__integration__api__query.test');
  });

  it('swaps the suite firebase_export shim for the browser one, takes chai from the work folder and the browser SDK build', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'cb-bundle-'));
    const suite = join(dir, 'suite');
    const tools = join(dir, 'work', 'node_modules');
    write(suite, 'test/util/firebase_export.ts', "export const marker = 'NODE SHIM';\n");
    write(
      suite,
      'test/api/a.test.ts',
      "import { expect } from 'chai';\nimport * as fx from '../util/firebase_export';\n" +
        'expect(fx.persistentLocalCache).to.be.a("function");\n',
    );
    write(tools, 'chai/package.json', '{"name":"chai","main":"index.js"}');
    write(tools, 'chai/index.js', "exports.expect = () => 'WORK FOLDER CHAI'; exports.use = () => {};\n");
    write(tools, 'chai-as-promised/package.json', '{"name":"chai-as-promised","main":"index.js"}');
    write(tools, 'chai-as-promised/index.js', 'module.exports = function chaiAsPromised() {};\n');
    const out = join(dir, 'out');
    await bundleSuite({
      suiteDir: suite,
      files: ['test/api/a.test.ts'],
      sdkModules: join(ROOT, 'node_modules'),
      toolModules: tools,
      outDir: out,
    });
    const all = readdirText(out);
    expect(all).not.toContain('NODE SHIM');
    expect(all).toContain('WORK FOLDER CHAI');
    expect(all).toContain('persistentMultipleTabManager');
    // The browser build talks WebChannel; the Node build would pull in gRPC.
    expect(all).toContain('WebChannel');
    expect(all).not.toContain('@grpc/grpc-js');
  }, 30_000);
});

function readdirText(dir: string): string {
  return readdirSyncFiles(dir)
    .map((f) => readFileSync(f, 'utf8'))
    .join('\n');
}

function readdirSyncFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? readdirSyncFiles(join(dir, e.name)) : [join(dir, e.name)],
  );
}
