/** Starts the Firestore emulator the suite runs against: ours (built emulators/) or Google's. */
import { createWriteStream, existsSync } from 'node:fs';
import { join } from 'node:path';
import {
  findGoogleEmulator,
  freePort,
  startGoogleEmulator,
} from '../../../emulators/src/firestore/test-support/differential/google.js';
import { startProcess, stopProcess, waitFor } from '../processes.js';
import { ROOT } from '../project.js';

export interface RunningEmulator {
  /** On 127.0.0.1. */
  port: number;
  describe: string;
  stop(): Promise<void>;
}

async function answers(url: string): Promise<boolean> {
  try {
    return (await fetch(url)).ok;
  } catch {
    return false;
  }
}

/**
 * Ours, from `configDir` (the shared runner's emulator-config: open rules for every project, like
 * Google's emulator started without rules), on a free port; its output goes to `logFile`.
 */
export async function startOurEmulator(
  configDir: string,
  projectId: string,
  logFile: string,
): Promise<RunningEmulator> {
  const cli = join(ROOT, 'emulators', 'bin', 'offline-emulators.cjs');
  if (!existsSync(join(ROOT, 'emulators', 'lib', 'main.js'))) {
    throw new Error(
      `emulators/lib is not built; run: npx tsx -e "import('./scripts/lib/build.ts').then(m=>m.buildBackend())"`,
    );
  }
  const port = await freePort();
  const log = createWriteStream(logFile);
  const child = startProcess(
    'node',
    [cli, 'start', '--only', 'firestore', '--firestore-port', String(port), '--project', projectId],
    { cwd: configDir, quiet: true, onLine: (line) => log.write(`${line}\n`) },
  );
  const stop = async (): Promise<void> => {
    await stopProcess(child, 5_000);
    log.end();
  };
  try {
    await waitFor(
      'our Firestore emulator',
      async () => {
        if (child.exitCode !== null)
          throw new Error(`our emulator exited (${child.exitCode}); see ${logFile}`);
        return answers(`http://127.0.0.1:${port}/`);
      },
      30_000,
    );
  } catch (e) {
    await stop();
    throw e;
  }
  return { port, describe: `ours (pid ${child.pid})`, stop };
}

/** Google's (gcloud's cloud_firestore_emulator on Java), or why it cannot run here. */
export async function startGoogle(): Promise<RunningEmulator | { skip: string }> {
  const found = findGoogleEmulator();
  if ('skip' in found) return found;
  const emulator = await startGoogleEmulator(found.launcher);
  return { port: Number(new URL(emulator.url).port), describe: "Google's", stop: emulator.stop };
}
