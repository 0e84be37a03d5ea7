/** Finds and starts Google's Firestore emulator (gcloud's cloud_firestore_emulator, on Java). */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';

const KNOWN = '/usr/lib/google-cloud-sdk/platform/cloud-firestore-emulator/cloud_firestore_emulator';

/** The launcher's path, or why it cannot run here. */
export function findGoogleEmulator(): { launcher: string } | { skip: string } {
  const java = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (java.error || java.status !== 0) return { skip: 'no java on PATH' };
  let launcher = process.env['GOOGLE_FIRESTORE_EMULATOR'] ?? '';
  if (!launcher) {
    const dpkg = spawnSync('dpkg', ['-L', 'google-cloud-cli-firestore-emulator'], { encoding: 'utf8' });
    launcher =
      (dpkg.status === 0
        ? dpkg.stdout.split('\n').find((l) => l.endsWith('/cloud_firestore_emulator'))
        : '') ?? '';
    if (!launcher && existsSync(KNOWN)) launcher = KNOWN;
  }
  if (!launcher) {
    return {
      skip: "Google's emulator is not installed (Debian package google-cloud-cli-firestore-emulator)",
    };
  }
  if (!existsSync(join(dirname(launcher), 'cloud-firestore-emulator.jar'))) {
    return { skip: `cloud-firestore-emulator.jar is missing beside ${launcher}` };
  }
  return { launcher };
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

export interface GoogleEmulator {
  url: string;
  stop(): Promise<void>;
}

export async function startGoogleEmulator(launcher: string): Promise<GoogleEmulator> {
  const port = await freePort();
  const child: ChildProcess = spawn(launcher, ['start', '--host=127.0.0.1', `--port=${port}`], {
    detached: true,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (b: Buffer) => {
    if (stderr.length < 4000) stderr += b.toString();
  });
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    if (child.exitCode !== null || child.pid === undefined) return;
    // The launcher is a shell script running java: end the whole process group it leads.
    try {
      process.kill(-child.pid, 'SIGTERM');
    } catch {
      return;
    }
    await new Promise<void>((resolve) => {
      const t = setTimeout(() => {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          /* gone */
        }
        resolve();
      }, 3000);
      child.once('exit', () => {
        clearTimeout(t);
        resolve();
      });
    });
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`Google's emulator exited: ${stderr}`);
    try {
      const r = await fetch(`${url}/`);
      if (r.ok) break;
    } catch {
      /* not yet */
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`Google's emulator did not start within 60 s: ${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { url, stop };
}
