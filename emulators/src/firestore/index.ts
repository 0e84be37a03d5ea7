/**
 * Firestore emulator entry point: REST + gRPC on one port, rules, import/export.
 */
import { readFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import type { EmulatorHandle } from '../handle.js';
import { FirestoreEmulatorCore } from './emulator.js';
import { startIdleGc } from './idle-gc.js';
import { exportFirestore, importFirestore } from './persistence.js';
import { createRestHandler } from './rest/router.js';
import type { RulesCompiler } from './rules-gate.js';
import { loadRulesCompiler } from './rules-loader.js';
import { createDualServer } from './server.js';

export interface FirestoreEmulatorOptions {
  host?: string;
  /** 0 = any free port. Default 8080. */
  port?: number;
  projectId?: string;
  rulesPath?: string;
  rules?: string;
  importDir?: string;
  /** Override the Security Rules compiler (defaults to emulators/src/rules). */
  rulesCompiler?: RulesCompiler | null;
  /** Run full GCs when idle to give memory back (sets a V8 flag; meant for the CLI process). */
  idleGc?: boolean;
}

export interface FirestoreEmulatorHandle extends EmulatorHandle {
  readonly projectId: string;
  /** `host:port`, the value for FIRESTORE_EMULATOR_HOST. */
  readonly hostAndPort: string;
  readonly core: FirestoreEmulatorCore;
  /** Loads the gRPC stack now instead of on the first HTTP/2 connection. */
  loadGrpc(): Promise<void>;
  /** Replaces the default ruleset (projects without their own `PUT …:securityRules`). */
  setRules(source: string): void;
  clear(projectId?: string): void;
}

export async function startFirestoreEmulator(
  opts: FirestoreEmulatorOptions = {},
): Promise<FirestoreEmulatorHandle> {
  const host = opts.host ?? '127.0.0.1';
  const projectId = opts.projectId ?? 'demo-member-portal';
  const core = new FirestoreEmulatorCore(projectId, null);
  const dual = createDualServer(createRestHandler(core), async () => {
    const [grpc, svc] = await Promise.all([import('@grpc/grpc-js'), import('./grpc/service.js'), core.ready]);
    return { grpc, service: svc.loadFirestoreService(), impl: svc.createServiceImpl(core) };
  });
  await new Promise<void>((resolve, reject) => {
    dual.server.once('error', reject);
    dual.server.listen(opts.port ?? 8080, host, () => resolve());
  });
  const port = (dual.server.address() as AddressInfo).port;
  // The port is open (GET / answers); the rules engine (~50-100 ms to load and compile) and the
  // import come next, and every other request waits for them (core.ready).
  try {
    const compiler = opts.rulesCompiler === undefined ? await loadRulesCompiler() : opts.rulesCompiler;
    core.setCompiler(compiler);
    const source = opts.rules ?? (opts.rulesPath ? await readFile(opts.rulesPath, 'utf8') : undefined);
    if (source !== undefined && compiler) core.setDefaultRules(source);
    if (opts.importDir) await importFirestore(core, opts.importDir);
    core.setReady();
  } catch (e) {
    core.dispose();
    await dual.close();
    throw e;
  }
  const stopGc = opts.idleGc ? startIdleGc(() => core.activity) : () => {};
  const urlHost = host.includes(':') ? `[${host}]` : host;
  let stopped = false;
  return {
    host,
    port,
    url: `http://${urlHost}:${port}`,
    hostAndPort: `${urlHost}:${port}`,
    projectId,
    core,
    loadGrpc: dual.loadGrpc,
    setRules: (src) => core.setDefaultRules(src),
    clear: (p) => core.clear({ project: p ?? projectId, database: '(default)' }),
    exportTo: (dir) => exportFirestore(core, dir),
    async stop() {
      if (stopped) return;
      stopped = true;
      stopGc();
      core.dispose();
      await dual.close();
    },
  };
}

export type { RulesCompiler, RulesEngine } from './rules-gate.js';
