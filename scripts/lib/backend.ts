import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { acquireBackendLock } from './backend-lock.js';
import { isPortOpen, startProcess, stopProcess, waitFor } from './processes.js';
import { type LocalPorts, localPorts, projectId, ROOT } from './project.js';

export interface Backend {
  projectId: string;
  ports: LocalPorts;
  /** Variables that point admin SDKs and tools at this backend. */
  env: Record<string, string>;
  /** Process-group ids of the emulator processes (for measuring their memory and CPU). */
  processGroups: { firebase: number; offline?: number };
  /** Milliseconds from the start call until each part answered. */
  readyAfterMs: { firebase: number; offline?: number };
  stop(): Promise<void>;
}

export interface BackendOptions {
  quiet?: boolean;
  /** Start our Firestore + Storage emulators too (default: whenever they are built). */
  offline?: boolean;
}

const require = createRequire(import.meta.url);

function firebaseCli(): string {
  const pkg = require.resolve('firebase-tools/package.json');
  return join(pkg, '..', 'lib', 'bin', 'firebase.js');
}

function offlineEmulatorsCli(): string | null {
  const bundle = join(ROOT, 'emulators', 'lib', 'offline-emulators.cjs');
  return existsSync(bundle) ? join(ROOT, 'emulators', 'bin', 'offline-emulators.cjs') : null;
}

async function assertPortsFree(host: string, ports: number[]): Promise<void> {
  for (const port of ports) {
    if (await isPortOpen(host, port)) {
      throw new Error(`Port ${port} on ${host} is in use; is another \`npm start\` or emulator running?`);
    }
  }
}

/**
 * The local backend: our offline Firestore + Storage emulators (when built) beside
 * firebase-tools' Auth and Functions emulators, which run offline on their own.
 */
export async function startBackend(options: BackendOptions = {}): Promise<Backend> {
  const ports = localPorts();
  const project = projectId();
  const host = ports.host;
  const offline = options.offline === false ? null : offlineEmulatorsCli();
  const releaseLock = await acquireBackendLock();
  await assertPortsFree(host, [
    ports.auth,
    ports.functions,
    ...(offline ? [ports.firestore, ports.storage] : []),
  ]);

  const env: Record<string, string> = {
    GCLOUD_PROJECT: project,
    FIREBASE_AUTH_EMULATOR_HOST: `${host}:${ports.auth}`,
    // Nothing local runs on Google Cloud: Google's client libraries need not probe the metadata
    // server (169.254.169.254) for credentials, which costs a timeout or a warning off-cloud.
    METADATA_SERVER_DETECTION: 'none',
  };
  if (offline) {
    env.FIRESTORE_EMULATOR_HOST = `${host}:${ports.firestore}`;
    env.FIREBASE_STORAGE_EMULATOR_HOST = `${host}:${ports.storage}`;
    env.STORAGE_EMULATOR_HOST = `http://${host}:${ports.storage}`;
  }

  const started = performance.now();
  const readyAfterMs: Backend['readyAfterMs'] = { firebase: Number.NaN };
  const children: ChildProcess[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(children.reverse().map((child) => stopProcess(child)));
    releaseLock();
  };

  const startOffline = async (cli: string): Promise<ChildProcess> => {
    const child = startProcess(
      process.execPath,
      [
        cli,
        'start',
        '--project',
        project,
        '--only',
        'firestore,storage',
        '--functions',
        `${host}:${ports.functions}`,
      ],
      { label: 'emulators', quiet: options.quiet, cwd: ROOT },
    );
    children.push(child);
    await waitUntilServing(child, 'offline Firestore emulator', host, ports.firestore, 30_000);
    await waitUntilServing(child, 'offline Storage emulator', host, ports.storage, 30_000);
    readyAfterMs.offline = performance.now() - started;
    return child;
  };

  const startFirebase = async (): Promise<ChildProcess> => {
    const output: string[] = [];
    // Settled by the ready line itself rather than a poll, so readiness is not rounded up to a tick.
    let settle: (error?: Error) => void = () => {};
    const ready = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => settle(new Error('Timed out after 120000 ms waiting for the Auth and Functions emulators')),
        120_000,
      );
      settle = (error) => {
        clearTimeout(timer);
        if (error) reject(error);
        else resolve();
      };
    });
    const firebase = startProcess(
      process.execPath,
      [firebaseCli(), 'emulators:start', '--only', 'auth,functions', '--project', project],
      {
        label: 'firebase',
        quiet: options.quiet,
        cwd: ROOT,
        // The Functions emulator hands its own environment to the functions, so their admin SDK finds our emulators.
        env: {
          ...env,
          FIREBASE_CLI_DISABLE_UPDATE_CHECK: 'true',
          // File-based functions discovery (firebase-tools PR #8848): the loader writes its manifest
          // and exits. The default HTTP discovery waits about 3 s for its server to close after
          // `/__/quitquitquit`, on every start and every reload after a change.
          FIREBASE_FUNCTIONS_DISCOVERY_OUTPUT_PATH: 'true',
        },
        onLine: (line) => {
          output.push(line);
          if (line.includes('All emulators ready')) settle();
        },
      },
    );
    children.push(firebase);
    firebase.once('exit', () =>
      settle(new Error(`firebase emulators:start exited early:\n${output.slice(-30).join('\n')}`)),
    );
    await ready;
    readyAfterMs.firebase = performance.now() - started;
    return firebase;
  };

  let processGroups: Backend['processGroups'];
  try {
    // Side by side: functions only reach Firestore and Storage when they run, so neither waits for the other.
    const [ours, firebase] = await Promise.all([
      offline ? startOffline(offline) : undefined,
      startFirebase(),
    ]);
    processGroups = { firebase: groupOf(firebase), ...(ours ? { offline: groupOf(ours) } : {}) };
  } catch (error) {
    await stop();
    throw error;
  }
  return { projectId: project, ports, env, processGroups, readyAfterMs, stop };
}

/** Children are started in their own process group, led by the child itself. */
function groupOf(child: ChildProcess): number {
  if (child.pid === undefined) throw new Error('an emulator process did not start');
  return child.pid;
}

async function waitUntilServing(
  child: ChildProcess,
  what: string,
  host: string,
  port: number,
  timeoutMs: number,
): Promise<void> {
  await waitFor(
    what,
    async () => {
      if (child.exitCode !== null) throw new Error(`${what} exited early with code ${child.exitCode}`);
      try {
        const response = await fetch(`http://${host}:${port}/`);
        return response.ok;
      } catch {
        return false;
      }
    },
    timeoutMs,
  );
}
