/**
 * Bundles the suite's test files for the browser with esbuild (already in node_modules for tsx and
 * Vite): one ES module per test file plus shared chunks, so every file loads the same SDK build.
 * `firebase/*` resolve to their browser builds (WebChannel, not gRPC); mocha, chai and
 * chai-as-promised come from the shared runner's work folder, as in the Node run.
 */
import { createRequire } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';

const HERE = dirname(fileURLToPath(import.meta.url));

/** The page's own modules, bundled beside the tests. */
export const HARNESS_ENTRY = 'harness';
export const SETUP_ENTRY = 'setup';

export interface BundleOptions {
  /** The suite folder (its test/ and src/ trees). */
  suiteDir: string;
  /** Test files, relative to suiteDir. */
  files: string[];
  /** node_modules of the project checkout: the SDK under test. */
  sdkModules: string;
  /** node_modules of the shared runner's work folder: mocha 10, chai 4, chai-as-promised 7. */
  toolModules: string;
  outDir: string;
}

/** Output name (without .js) of a test file's chunk: its path with separators flattened. */
export function entryName(file: string): string {
  return `tests/${file.split(sep).join('/').replace(/\.ts$/, '').replace(/\//g, '__')}`;
}

/**
 * Redirects: the suite's firebase_export shim to the browser one; chai and chai-as-promised to
 * the work folder (the project's own chai is v6, which chai-as-promised 7 does not support); and a
 * virtual setup module registering chai-as-promised, as the Node runner's setup.cjs does.
 */
export function shimPlugin(options: Pick<BundleOptions, 'suiteDir' | 'toolModules'>): Plugin {
  const tools = createRequire(join(options.toolModules, 'package.json'));
  return {
    name: 'conformance-browser-shims',
    setup(b) {
      b.onResolve({ filter: /\/firebase_export$/ }, (args) => {
        const inSuite = !relative(options.suiteDir, args.importer).startsWith('..');
        return inSuite ? { path: join(HERE, 'firebase-export.ts') } : undefined;
      });
      b.onResolve({ filter: /^chai(-as-promised)?$/ }, (args) => ({ path: tools.resolve(args.path) }));
      b.onResolve({ filter: /^conformance:setup$/ }, () => ({ path: 'setup', namespace: 'conformance' }));
      b.onLoad({ filter: /.*/, namespace: 'conformance' }, () => ({
        contents:
          "import chai from 'chai';\nimport chaiAsPromised from 'chai-as-promised';\nchai.use(chaiAsPromised);\n",
        loader: 'js',
        resolveDir: options.suiteDir,
      }));
    },
  };
}

export async function bundleSuite(options: BundleOptions): Promise<void> {
  const result = await build({
    entryPoints: [
      { in: join(HERE, 'page-harness.ts'), out: HARNESS_ENTRY },
      { in: 'conformance:setup', out: SETUP_ENTRY },
      ...options.files.map((f) => ({ in: join(options.suiteDir, f), out: entryName(f) })),
    ],
    outdir: options.outDir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    // The suite's mocha_extensions reads mocha's globals through Node's `global`.
    define: { global: 'globalThis' },
    // Full and lite SDKs share chunks, so esbuild renames clashing classes (Bytes -> _Bytes); the
    // lite suite checks `constructor.name`, which each SDK build keeps on its own.
    keepNames: true,
    nodePaths: [options.sdkModules],
    // The suite has no tsconfig; the defaults drop its type-only imports (@firebase/firestore-types).
    tsconfigRaw: {},
    logLevel: 'silent',
    plugins: [shimPlugin(options)],
  });
  if (result.errors.length > 0) throw new Error(`esbuild: ${result.errors.map((e) => e.text).join('; ')}`);
}
