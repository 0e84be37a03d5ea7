/**
 * Bundles the command's start-up path (lib/main.js and what it imports statically: argument
 * parsing, config, both emulators' port-opening code) into lib/offline-emulators.cjs.
 *
 * Why: "start to ready" is mostly Node's own start, and with an ES-module entry Node also sets up
 * its ESM loader and resolves each module's path before the first port can open. One CommonJS file
 * opened the two ports about 11 ms sooner (median of 21 interleaved starts; bench/README.md).
 * Everything the emulators load after their ports are open (`load()`: cores, routers, rules
 * engine, gRPC) stays in lib/ as ES modules, imported at run time by their paths from lib/.
 */
import { build } from 'esbuild';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const lib = fileURLToPath(new URL('../lib/', import.meta.url));
// Loaded dynamically by cli.ts before any port opens, so they belong in the bundle.
const OPEN_PHASE = [resolve(lib, 'firestore/index.js'), resolve(lib, 'storage/index.js')];

await build({
  entryPoints: [resolve(lib, 'main.js')],
  outfile: resolve(lib, 'offline-emulators.cjs'),
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  logLevel: 'warning',
  plugins: [
    {
      name: 'load-phase-stays-external',
      setup(b) {
        b.onResolve({ filter: /^\./ }, (args) => {
          if (args.kind !== 'dynamic-import') return undefined;
          const target = resolve(dirname(args.importer), args.path);
          if (OPEN_PHASE.includes(target)) return undefined;
          return { path: `./${relative(lib, target)}`, external: true };
        });
      },
    },
  ],
});
