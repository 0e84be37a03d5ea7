/**
 * Offline, Java-free Cloud Storage for Firebase emulator (DESIGN.md §6). Speaks the Firebase
 * `/v0` API (firebase/storage), the GCS JSON API subset (@google-cloud/storage via firebase-admin),
 * the emulator's internal endpoints (rules-unit-testing), enforces storage.rules through the
 * shared rules engine and posts finalize/delete/metadataUpdate events to the Functions emulator.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AccessOptions, AccessPolicy, admitHttp } from '../access.js';
import type { EmulatorHandle, OpenEmulator } from '../handle.js';
import type { ApiContext } from './firebase-api.js';
import type { UploadLimits, UploadSessions } from './resumable.js';
import type { RulesCompiler } from './rules-gate.js';
import type { TriggerDispatcher } from './triggers.js';

/** `allowedOrigins` / `allowedHosts`: see ../access.ts (loopback only by default). */
export interface StorageEmulatorOptions extends AccessOptions {
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  projectId: string;
  /** storage.rules file; `rules` (source text) wins when both are given. */
  rulesPath?: string;
  rules?: string;
  /**
   * A ruleset per bucket (firebase.json `storage` as an array of `{bucket|target, rules}`): each
   * bucket is checked against its own, buckets not listed have none. Wins over `rules`/`rulesPath`.
   */
  bucketRules?: Array<{ bucket: string; rulesPath?: string; rules?: string }>;
  /** Folder holding a previous export (`storage/` or firebase-tools' `storage_export/`). */
  importDir?: string;
  /** Firestore emulator for `firestore.get()/exists()` in rules. */
  firestore?: { host: string; port: number } | null;
  /** Functions emulator receiving trigger_multicast events. */
  functions?: { host: string; port: number } | null;
  /** Where object bytes live while running; a fresh temp folder (removed on stop) by default. */
  dataDir?: string;
  /** Log sink; defaults to stderr with a `[storage]` prefix. */
  log?: (msg: string) => void;
  /** Override the rules compiler (defaults to emulators/src/rules). */
  compileRules?: RulesCompiler;
  /** Caps on open resumable uploads (DEFAULT_UPLOAD_LIMITS in resumable.ts for what is not given). */
  uploadLimits?: Partial<UploadLimits>;
}

export interface StorageEmulatorHandle extends EmulatorHandle {
  /** Resolves once every trigger event sent so far was delivered or failed. */
  flushTriggers(): Promise<void>;
}

export type { EmulatorHandle };

export async function startStorageEmulator(opts: StorageEmulatorOptions): Promise<StorageEmulatorHandle> {
  return (await openStorageEmulator(opts)).load();
}

/**
 * Opens the port with only this file loaded; `load()` then brings in the rest of the emulator and
 * the rules engine (~65 ms of modules here), and every request but `GET /` waits for them.
 */
export async function openStorageEmulator(
  opts: StorageEmulatorOptions,
): Promise<OpenEmulator<StorageEmulatorHandle>> {
  const log = opts.log ?? ((msg: string) => process.stderr.write(`[storage] ${msg}\n`));
  const host = opts.host ?? '127.0.0.1';
  const access = new AccessPolicy(host, opts);
  let handler: RequestListener | undefined;
  let setupDone: (setup: Promise<void>) => void = () => {};
  const setup = new Promise<void>((resolve) => {
    setupDone = resolve;
  });
  // Only awaited by requests and load(); a failed setup is reported by load().
  setup.catch(() => {});
  const server = createServer({ keepAliveTimeout: 5_000, requestTimeout: 0 }, (req, res) => {
    if (!admitHttp(access, req, res)) return;
    if (handler) return handler(req, res);
    if ((req.url === '/' || req.url === '') && (req.method === 'GET' || req.method === 'HEAD')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(req.method === 'HEAD' ? undefined : JSON.stringify({ emulator: 'storage', status: 'ready' }));
      return;
    }
    void setup.then(
      () => handler!(req, res),
      () => {
        res.writeHead(503);
        res.end();
      },
    );
  });
  // A client error (malformed request line, socket reset) must never take the process down.
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const urlHost = host.includes(':') ? `[${host}]` : host;
  const origin = `http://${urlHost}:${port}`;
  const closeServer = (): Promise<void> =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });

  const load = async (): Promise<StorageEmulatorHandle> => {
    const ownsDataDir = !opts.dataDir;
    let dataDir = opts.dataDir;
    const removeDataDir = async (): Promise<void> => {
      if (ownsDataDir && dataDir) await rm(dataDir, { recursive: true, force: true });
    };
    const starting = (async () => {
      dataDir ??= await mkdtemp(join(tmpdir(), 'storage-emulator-'));
      const core = await loadCore(opts, dataDir, origin, log);
      handler = core.handler;
      return core;
    })();
    setupDone(starting.then(() => {}));
    let core: Core;
    try {
      core = await starting;
    } catch (err) {
      server.close();
      await removeDataDir();
      throw err;
    }

    let stopped: Promise<void> | undefined;
    return {
      host,
      port,
      url: origin,
      exportTo: (dir: string) => core.exportTo(dir),
      flushTriggers: () => core.triggers.flush(),
      stop(): Promise<void> {
        stopped ??= (async () => {
          await closeServer();
          await core.sessions.close();
          await core.triggers.close();
          await removeDataDir();
        })();
        return stopped;
      },
    };
  };
  let loading: Promise<StorageEmulatorHandle> | undefined;
  return {
    host,
    port,
    load: () => (loading ??= load()),
    close: async () => {
      setupDone(Promise.reject(new Error('storage emulator closed before loading')));
      // Requests that waited get their 503 first; then their connections close with the port.
      await setup.catch(() => {});
      await closeServer();
    },
  };
}

interface Core {
  handler: RequestListener;
  triggers: TriggerDispatcher;
  sessions: UploadSessions;
  exportTo(dir: string): Promise<void>;
}

/** Everything behind the port: object store, rules, import, triggers and the request handler. */
async function loadCore(
  opts: StorageEmulatorOptions,
  dataDir: string,
  origin: string,
  log: (msg: string) => void,
): Promise<Core> {
  const [
    { ObjectStore },
    { exportStore, importStore },
    { UploadSessions },
    { RulesGate, RulesLoadError },
    { createRequestHandler },
    { StorageService },
    { TriggerDispatcher },
  ] = await Promise.all([
    import('./object-store.js'),
    import('./persistence.js'),
    import('./resumable.js'),
    import('./rules-gate.js'),
    import('./server.js'),
    import('./service.js'),
    import('./triggers.js'),
  ]);
  const store = new ObjectStore(dataDir);
  await store.init();
  store.buckets.add(`${opts.projectId}.appspot.com`);
  const triggers = new TriggerDispatcher(opts.functions ?? null, opts.projectId, log);
  const sessions = new UploadSessions(opts.uploadLimits);
  const compile = opts.compileRules ?? (await import('./rules-engine.js')).defaultRulesCompiler;
  const rules = new RulesGate(compile, opts.projectId, opts.firestore ?? null, log);
  const source = opts.rules ?? (opts.rulesPath ? await readFile(opts.rulesPath, 'utf8') : undefined);
  if (opts.bucketRules && opts.bucketRules.length > 0) {
    const files = await Promise.all(
      opts.bucketRules.map(async (b) => ({
        bucket: b.bucket,
        name: b.rulesPath ?? `${b.bucket}.rules`,
        source: b.rules ?? (b.rulesPath ? await readFile(b.rulesPath, 'utf8') : ''),
      })),
    );
    try {
      rules.loadPerBucket(files);
    } catch (err) {
      const issues = err instanceof RulesLoadError ? err.issues : [];
      const detail =
        issues.length > 0
          ? issues.map((i) => `${i.file}:${i.line}:${i.column}: ${i.message}`).join('\n')
          : (err as Error).message;
      log(`Could not load storage rules:\n${detail}`);
    }
  } else if (source !== undefined) {
    try {
      rules.load(source);
    } catch (err) {
      // Like firebase-tools, start anyway: SDK requests are denied until valid rules are loaded.
      const issues = err instanceof RulesLoadError ? err.issues : [];
      const where = opts.rulesPath ?? 'storage.rules';
      const detail =
        issues.length > 0
          ? issues.map((i) => `${where}:${i.line}:${i.column}: ${i.message}`).join('\n')
          : (err as Error).message;
      log(`Could not load storage rules:\n${detail}`);
    }
  }
  if (opts.importDir) {
    const n = await importStore(store, opts.importDir, log);
    log(`Imported ${n} objects from ${opts.importDir}.`);
  }
  const service = new StorageService(store, rules, triggers, () => origin);
  const ctx: ApiContext = {
    service,
    sessions,
    origin: (req: IncomingMessage) => (req.headers.host ? `http://${req.headers.host}` : origin),
  };
  const exportTo = (dir: string) => exportStore(store, dir);
  return {
    handler: createRequestHandler({ ctx, log, reset: () => store.clear(), exportTo }),
    triggers,
    sessions,
    exportTo,
  };
}
