/**
 * The `offline-emulators` command. scripts/bundle-cli.mjs bundles this file with the modules that
 * open the ports into one CommonJS file (lib/offline-emulators.cjs), which bin/ runs.
 */
import { main } from './cli.js';

main(process.argv.slice(2)).then(
  (code) => {
    if (typeof code === 'number') process.exitCode = code;
  },
  (err: unknown) => {
    console.error(`offline-emulators: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  },
);
