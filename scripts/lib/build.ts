import { runCommand } from './processes.js';

/** Compiles what the local backend runs: the functions and the offline emulators. */
export async function buildBackend(): Promise<void> {
  for (const workspace of ['@member-portal/emulators', 'member-portal-functions']) {
    const code = await runCommand('npm', ['run', 'build', '--silent', '-w', workspace]);
    if (code !== 0) throw new Error(`Building ${workspace} failed (exit ${code}).`);
  }
}
