import { describe, expect, it } from 'vitest';
import { pageHtml } from './page-driver.js';

const config = {
  entry: 'tests/test__api__a.test',
  mode: 'persistent' as const,
  testTimeoutMs: 10_000,
  forceLongPolling: false,
  env: { FIRESTORE_EMULATOR_PORT: '1234', FIRESTORE_EMULATOR_PROJECT_ID: 'demo-x' },
};

describe('browser conformance page', () => {
  it('loads mocha, then the config and process.env, then the harness and the test file, in that order', () => {
    const html = pageHtml(config);
    const order = [
      '<script src="/mocha.js">',
      'globalThis.__CONFORMANCE__ = ',
      'globalThis.process = { env: globalThis.__CONFORMANCE__.env }',
      "from '/bundle/harness.js'",
      "import '/bundle/setup.js'",
      "await import('/bundle/tests/test__api__a.test.js')",
    ].map((s) => html.indexOf(s));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    const json = /__CONFORMANCE__ = (.*);\n/.exec(html)?.[1];
    expect(JSON.parse(json ?? 'null')).toEqual(config);
  });

  it('keeps config text from closing the script element', () => {
    const html = pageHtml({ ...config, env: { X: '</script><script>alert(1)</script>' } });
    expect(html.match(/<\/script>/g)).toHaveLength(3);
    const json = /__CONFORMANCE__ = (.*);\n/.exec(html)?.[1];
    expect((JSON.parse(json ?? 'null') as typeof config).env).toEqual({
      X: '</script><script>alert(1)</script>',
    });
  });
});
