/**
 * `offline-emulators start|exec`: the project's Firestore and Storage emulators, configured like
 * `firebase emulators:start` from firebase.json (emulator ports, rules files) and .firebaserc
 * (default project).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { HOSTS_ENV, ORIGINS_ENV, splitList } from './access.js';
import type { EmulatorHandle, OpenEmulator } from './handle.js';

export interface CliOptions {
  command: 'start' | 'exec';
  project?: string;
  only?: string[];
  host?: string;
  firestorePort?: number;
  storagePort?: number;
  functions?: string;
  importDir?: string;
  exportOnExit?: string;
  /** `--allow-origin` / `--allow-host` values, repeatable and comma-separated (see access.ts). */
  allowOrigins: string[];
  allowHosts: string[];
  execCommand: string[];
}

const USAGE = `usage: offline-emulators start [--project ID] [--only firestore,storage] [--host H]
         [--firestore-port N] [--storage-port N] [--functions HOST:PORT]
         [--import DIR] [--export-on-exit DIR]
         [--allow-origin ORIGIN[,ORIGIN…]]… [--allow-host HOST[,HOST…]]…
       offline-emulators exec [same flags] -- CMD [ARGS...]`;

export function parseArgs(argv: string[]): CliOptions {
  const [command, ...rest] = argv;
  if (command !== 'start' && command !== 'exec') throw new Error(USAGE);
  const opts: CliOptions = { command, allowOrigins: [], allowHosts: [], execCommand: [] };
  for (let i = 0; i < rest.length; i++) {
    const arg = rest[i]!;
    if (arg === '--') {
      opts.execCommand = rest.slice(i + 1);
      break;
    }
    const eq = arg.indexOf('=');
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const value = (): string => {
      const v = eq > 0 ? arg.slice(eq + 1) : rest[++i];
      if (v === undefined || v === '') throw new Error(`${flag} needs a value\n${USAGE}`);
      return v;
    };
    const port = (): number => {
      const v = value();
      const n = Number(v);
      if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`${flag}: invalid port "${v}"`);
      return n;
    };
    switch (flag) {
      case '--project':
        opts.project = value();
        break;
      case '--only':
        opts.only = value()
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean);
        break;
      case '--host':
        opts.host = value();
        break;
      case '--firestore-port':
        opts.firestorePort = port();
        break;
      case '--storage-port':
        opts.storagePort = port();
        break;
      case '--functions':
        opts.functions = value();
        break;
      case '--import':
        opts.importDir = value();
        break;
      case '--export-on-exit':
        opts.exportOnExit = value();
        break;
      case '--allow-origin':
        opts.allowOrigins.push(...splitList([value()]));
        break;
      case '--allow-host':
        opts.allowHosts.push(...splitList([value()]));
        break;
      case '-h':
      case '--help':
        throw new Error(USAGE);
      default:
        if (command === 'exec' && !arg.startsWith('-')) {
          opts.execCommand = rest.slice(i);
          i = rest.length;
          break;
        }
        throw new Error(`unknown option ${arg}\n${USAGE}`);
    }
  }
  for (const name of opts.only ?? []) {
    if (name !== 'firestore' && name !== 'storage') throw new Error(`--only: unknown emulator "${name}"`);
  }
  if (command === 'exec' && opts.execCommand.length === 0) throw new Error(`exec needs a command\n${USAGE}`);
  return opts;
}

interface ProjectConfig {
  root: string;
  project: string;
  firestore: { host?: string; port: number; rules?: string };
  storage: { host?: string; port: number; rules?: string; targets?: StorageRulesEntry[] };
  functions: { host: string; port: number } | null;
  /** `.firebaserc` `targets`: project → type → target → resources. */
  rcTargets: Json;
}

/** One entry of firebase.json `storage` as an array (deploy targets). */
interface StorageRulesEntry {
  bucket?: string;
  target?: string;
  rules: string;
}

type Json = Record<string, unknown>;

function obj(x: unknown): Json {
  return typeof x === 'object' && x !== null && !Array.isArray(x) ? (x as Json) : {};
}

/** Reads firebase.json (found by walking up from `cwd`) and .firebaserc beside it. */
export function loadProjectConfig(cwd: string): ProjectConfig {
  let dir = resolve(cwd);
  while (!existsSync(join(dir, 'firebase.json')) && dirname(dir) !== dir) dir = dirname(dir);
  const has = existsSync(join(dir, 'firebase.json'));
  const root = has ? dir : resolve(cwd);
  const fb = has ? obj(JSON.parse(readFileSync(join(root, 'firebase.json'), 'utf8'))) : {};
  const rcPath = join(root, '.firebaserc');
  const rc = existsSync(rcPath) ? obj(JSON.parse(readFileSync(rcPath, 'utf8'))) : {};
  const defaultProject = obj(rc['projects'])['default'];
  const em = obj(fb['emulators']);
  const emu = (name: string, port: number) => {
    const e = obj(em[name]);
    return {
      host: typeof e['host'] === 'string' ? e['host'] : undefined,
      port: typeof e['port'] === 'number' ? e['port'] : port,
    };
  };
  const rulesOf = (name: string): string | undefined => {
    const section = fb[name];
    const first = Array.isArray(section) ? obj(section[0]) : obj(section);
    return typeof first['rules'] === 'string' ? resolve(root, first['rules']) : undefined;
  };
  const fn = emu('functions', 5001);
  const storageSection = fb['storage'];
  const targets = Array.isArray(storageSection)
    ? storageSection.map((e) => {
        const o = obj(e);
        const str = (k: string) => (typeof o[k] === 'string' ? (o[k] as string) : undefined);
        const rules = str('rules');
        if (!rules) throw new Error('firebase.json: every "storage" entry needs "rules"');
        return { bucket: str('bucket'), target: str('target'), rules: resolve(root, rules) };
      })
    : undefined;
  return {
    root,
    project: typeof defaultProject === 'string' ? defaultProject : 'demo-member-portal',
    firestore: { ...emu('firestore', 8080), rules: rulesOf('firestore') },
    storage: { ...emu('storage', 9199), rules: rulesOf('storage'), targets },
    functions: { host: fn.host ?? '127.0.0.1', port: fn.port },
    rcTargets: obj(rc['targets']),
  };
}

/**
 * firebase.json `storage: [{bucket|target, rules}]`: each bucket's rules file, deploy targets
 * resolved through `.firebaserc` `targets.{project}.storage.{target}` (firebase-tools
 * `getStorageRulesConfig`). An unknown target is an error, as for `firebase deploy`.
 */
export function storageBucketRules(
  cfg: ProjectConfig,
  project: string,
): Array<{ bucket: string; rulesPath: string }> | undefined {
  if (!cfg.storage.targets) return undefined;
  const byTarget = obj(obj(obj(cfg.rcTargets)[project])['storage']);
  return cfg.storage.targets.flatMap((e) => {
    if (e.bucket) return [{ bucket: e.bucket, rulesPath: e.rules }];
    const buckets = e.target ? byTarget[e.target] : undefined;
    if (!Array.isArray(buckets) || buckets.length === 0) {
      throw new Error(
        e.target
          ? `firebase.json: storage target "${e.target}" has no buckets for project ${project} in .firebaserc (firebase target:apply storage ${e.target} <bucket>)`
          : 'firebase.json: every "storage" entry needs "bucket" or "target"',
      );
    }
    return buckets
      .filter((b): b is string => typeof b === 'string')
      .map((bucket) => ({ bucket, rulesPath: e.rules }));
  });
}

function clientHost(host: string): string {
  if (host === '0.0.0.0' || host === '::') return '127.0.0.1';
  return host.includes(':') ? `[${host}]` : host;
}

interface Running {
  name: 'firestore' | 'storage';
  handle: EmulatorHandle;
}

interface Opened {
  name: Running['name'];
  emulator: OpenEmulator<EmulatorHandle>;
}

/**
 * Every port opens before any emulator loads its modules: loading them takes most of the start-up
 * time, and one emulator's loading would otherwise hold back the other's port.
 */
async function startAll(opts: CliOptions, cfg: ProjectConfig): Promise<Running[]> {
  const only = opts.only ?? ['firestore', 'storage'];
  const project = opts.project ?? cfg.project;
  const existing = (path: string | undefined) => (path && existsSync(path) ? path : undefined);
  const access = {
    allowedOrigins: [...splitList([process.env[ORIGINS_ENV]]), ...opts.allowOrigins],
    allowedHosts: [...splitList([process.env[HOSTS_ENV]]), ...opts.allowHosts],
  };
  const [firestore, storage] = await Promise.all([
    only.includes('firestore') ? import('./firestore/index.js') : undefined,
    only.includes('storage') ? import('./storage/index.js') : undefined,
  ]);
  const opened: Opened[] = [];
  try {
    if (firestore) {
      const emulator = await firestore.openFirestoreEmulator({
        host: opts.host ?? cfg.firestore.host ?? '127.0.0.1',
        port: opts.firestorePort ?? cfg.firestore.port,
        projectId: project,
        rulesPath: existing(cfg.firestore.rules),
        importDir: opts.importDir,
        idleGc: true,
        ...access,
      });
      opened.push({ name: 'firestore', emulator });
    }
    if (storage) {
      // Storage calls Firestore only for firestore.get() in rules; its port is known once open.
      const fs = opened[0]?.emulator;
      const emulator = await storage.openStorageEmulator({
        host: opts.host ?? cfg.storage.host ?? '127.0.0.1',
        port: opts.storagePort ?? cfg.storage.port,
        projectId: project,
        rulesPath: existing(cfg.storage.rules),
        bucketRules: storageBucketRules(cfg, project),
        importDir: opts.importDir,
        firestore: fs ? { host: clientHost(fs.host), port: fs.port } : null,
        functions: parseHostPort(opts.functions) ?? cfg.functions,
        ...access,
      });
      opened.push({ name: 'storage', emulator });
    }
  } catch (e) {
    await Promise.all(opened.map((o) => o.emulator.close()));
    throw e;
  }
  // One after the other: loading is CPU-bound, so side by side would not finish sooner, and loading
  // one module graph at a time keeps the event loop free often enough to answer on both ports.
  const running: Running[] = [];
  try {
    for (const { name, emulator } of opened) running.push({ name, handle: await emulator.load() });
  } catch (e) {
    await Promise.all(opened.slice(running.length + 1).map((o) => o.emulator.close()));
    await stopAll(running, undefined);
    throw e;
  }
  return running;
}

function parseHostPort(s: string | undefined): { host: string; port: number } | undefined {
  if (!s) return undefined;
  const i = s.lastIndexOf(':');
  const port = Number(s.slice(i + 1));
  if (i <= 0 || !Number.isInteger(port)) throw new Error(`--functions: expected HOST:PORT, got "${s}"`);
  return { host: s.slice(0, i), port };
}

async function stopAll(running: Running[], exportDir: string | undefined): Promise<void> {
  if (exportDir) {
    for (const r of running) {
      await r.handle.exportTo(resolve(exportDir));
      console.log(`offline-emulators: exported ${r.name} to ${resolve(exportDir, r.name)}`);
    }
  }
  await Promise.all(running.map((r) => r.handle.stop()));
}

function envFor(running: Running[]): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const r of running) {
    const hp = `${clientHost(r.handle.host)}:${r.handle.port}`;
    if (r.name === 'firestore') env['FIRESTORE_EMULATOR_HOST'] = hp;
    else {
      env['FIREBASE_STORAGE_EMULATOR_HOST'] = hp;
      env['STORAGE_EMULATOR_HOST'] = `http://${hp}`;
    }
  }
  return env;
}

/**
 * Signals are caught from the very start: a SIGINT that arrives while the emulators are still
 * starting (the port may already answer `GET /`) must still end in a clean stop and exit 0.
 */
function watchSignals(): {
  received: () => NodeJS.Signals | undefined;
  next: () => Promise<NodeJS.Signals>;
  dispose: () => void;
} {
  let received: NodeJS.Signals | undefined;
  const waiters: ((s: NodeJS.Signals) => void)[] = [];
  const on = (sig: NodeJS.Signals) => () => {
    received = sig;
    for (const w of waiters.splice(0)) w(sig);
  };
  const onInt = on('SIGINT');
  const onTerm = on('SIGTERM');
  process.on('SIGINT', onInt);
  process.on('SIGTERM', onTerm);
  return {
    received: () => received,
    next: () => new Promise((resolve) => waiters.push(resolve)),
    dispose: () => {
      process.off('SIGINT', onInt);
      process.off('SIGTERM', onTerm);
    },
  };
}

export async function main(argv: string[]): Promise<number> {
  const opts = parseArgs(argv);
  const cfg = loadProjectConfig(process.cwd());
  const project = opts.project ?? cfg.project;
  const signals = watchSignals();
  try {
    const running = await startAll(opts, cfg);
    for (const r of running) {
      console.log(
        `offline-emulators: ${r.name} ready at http://${clientHost(r.handle.host)}:${r.handle.port}`,
      );
    }
    const stop = async (): Promise<void> => {
      try {
        await stopAll(running, opts.exportOnExit);
      } catch (e) {
        console.error(`offline-emulators: ${e instanceof Error ? e.message : String(e)}`);
      }
    };
    if (opts.command === 'start') {
      if (!signals.received()) {
        console.log(`offline-emulators: project ${project}; press Ctrl+C to stop`);
        await signals.next();
      }
      await stop();
      return 0;
    }
    if (signals.received()) {
      await stop();
      return 130;
    }
    const env = { ...envFor(running), GCLOUD_PROJECT: project };
    const [cmd, ...args] = opts.execCommand;
    // Only `exec` needs child_process; `start` skips loading it.
    const { spawn } = await import('node:child_process');
    const child =
      args.length === 0
        ? spawn(cmd!, { stdio: 'inherit', env, shell: true })
        : spawn(cmd!, args, { stdio: 'inherit', env });
    // Forward Ctrl+C / SIGTERM to the command; we stop once it exits.
    const forward = (sig: NodeJS.Signals): void => {
      child.kill(sig);
      signals.next().then(forward);
    };
    signals.next().then(forward);
    const code = await new Promise<number>((done) => {
      child.on('error', (e) => {
        console.error(`offline-emulators: cannot run ${cmd}: ${e.message}`);
        done(127);
      });
      child.on('exit', (c, sig) => done(c ?? (sig === 'SIGINT' ? 130 : sig ? 143 : 1)));
    });
    await stop();
    return code;
  } finally {
    signals.dispose();
  }
}
