import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { runCommand } from './processes.js';
import { ROOT } from './project.js';

/** What the local backend runs, and the file whose absence means its build output is gone. */
const WORKSPACES = [
  { name: '@member-portal/emulators', dir: 'emulators', entry: 'lib/main.js' },
  { name: 'member-portal-functions', dir: 'functions', entry: 'lib/index.js' },
];

/**
 * Compiles the functions and the offline emulators, side by side. Their builds are incremental
 * (lib/.tsbuildinfo), so an unchanged tree costs a couple of seconds instead of a full compile;
 * tsc trusts that file even when outputs were deleted by hand, so a missing entry point forces a
 * full build.
 */
export async function buildBackend(): Promise<void> {
  await Promise.all(
    WORKSPACES.map(async ({ name, dir, entry }) => {
      if (!existsSync(join(ROOT, dir, entry)))
        rmSync(join(ROOT, dir, 'lib', '.tsbuildinfo'), { force: true });
      const code = await runCommand('npm', ['run', 'build', '--silent', '-w', name]);
      if (code !== 0) throw new Error(`Building ${name} failed (exit ${code}).`);
    }),
  );
}
