/**
 * Firestore emulator entry point: REST + gRPC on one port, rules, import/export.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type AccessOptions, AccessPolicy, admitHttp } from '../access.js';
import type { EmulatorHandle, OpenEmulator } from '../handle.js';
import type { FirestoreEmulatorCore } from './emulator.js';
import { corsHeaders } from './rest/http.js';
import type { RulesCompiler } from './rules-gate.js';
import { createDualServer } from './server.js';

/** `allowedOrigins` / `allowedHosts`: see ../access.ts (loopback only by default). */
export interface FirestoreEmulatorOptions extends AccessOptions {
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

/**
 * Answers the readiness probe (`GET /`) without the core; the router answers it the same way once
 * loaded.
 */
function isProbe(req: IncomingMessage): boolean {
  return (
    (req.method === 'GET' || req.method === 'HEAD') && (req.url === '/' || req.url?.startsWith('/?') === true)
  );
}

export async function startFirestoreEmulator(
  opts: FirestoreEmulatorOptions = {},
): Promise<FirestoreEmulatorHandle> {
  return (await openFirestoreEmulator(opts)).load();
}

/**
 * Opens the port with only this file and server.ts loaded (start-up time is dominated by loading
 * modules); `load()` then brings in the core and the REST router (~25 modules), and requests other
 * than `GET /` wait for them.
 */
export async function openFirestoreEmulator(
  opts: FirestoreEmulatorOptions = {},
): Promise<OpenEmulator<FirestoreEmulatorHandle>> {
  const host = opts.host ?? '127.0.0.1';
  const projectId = opts.projectId ?? 'demo-member-portal';
  const access = new AccessPolicy(host, opts);
  type Rest = (req: IncomingMessage, res: ServerResponse) => void;
  let rest: Rest | undefined;
  let coreLoaded: (c: Promise<FirestoreEmulatorCore>) => void = () => {};
  const loadCore = new Promise<FirestoreEmulatorCore>((resolve) => {
    coreLoaded = resolve;
  });
  // Only awaited by requests and load(); a failed load is reported by load().
  loadCore.catch(() => {});
  const pendingRest = (req: IncomingMessage, res: ServerResponse): void => {
    if (!admitHttp(access, req, res)) return;
    if (rest) return rest(req, res);
    if (isProbe(req)) {
      res.writeHead(200, { 'content-type': 'text/plain', ...corsHeaders(req) });
      res.end('Ok\n');
      return;
    }
    void loadCore.then(
      () => rest!(req, res),
      () => res.destroy(),
    );
  };
  const dual = createDualServer(pendingRest, async () => {
    const c = await loadCore;
    const [svc, transport] = await Promise.all([
      import('./grpc/service.js'),
      import('./grpc/transport.js'),
      c.ready,
    ]);
    return transport.createGrpcServer(svc.createFirestoreMethods(c), {
      maxReceiveMessageLength: 16 * 1024 * 1024,
      maxSendMessageLength: 64 * 1024 * 1024,
      // Counts calls for the idle collector (idle-gc.ts).
      onCall: () => c.activity++,
      // Browsers cannot speak cleartext HTTP/2, so this only keeps gRPC consistent with HTTP/1.1.
      refuse: (headers) => {
        const authority = headers[':authority'] ?? headers.host;
        const origin = headers.origin;
        return access.check(authority, typeof origin === 'string' ? origin : undefined);
      },
    });
  });
  await new Promise<void>((resolve, reject) => {
    dual.server.once('error', reject);
    dual.server.listen(opts.port ?? 8080, host, () => resolve());
  });
  const port = (dual.server.address() as AddressInfo).port;

  const load = async (): Promise<FirestoreEmulatorHandle> => {
    let core: FirestoreEmulatorCore | undefined;
    coreLoaded(
      Promise.all([import('./emulator.js'), import('./rest/router.js')]).then(
        ([{ FirestoreEmulatorCore }, { createRestHandler }]) => {
          core = new FirestoreEmulatorCore(projectId, null);
          rest = createRestHandler(core);
          return core;
        },
      ),
    );
    // The rules engine (~50-100 ms to load and compile) and the import come next; every request
    // except `GET /` waits for them (core.ready). The engine loads after the core rather than beside
    // it: the work is the same, but one module graph at a time leaves the event loop free more often
    // to answer `GET /` meanwhile.
    try {
      core = await loadCore;
      const compiler =
        opts.rulesCompiler === undefined
          ? await import('./rules-loader.js').then((m) => m.loadRulesCompiler())
          : opts.rulesCompiler;
      core.setCompiler(compiler);
      const source =
        opts.rules ??
        (opts.rulesPath
          ? await import('node:fs/promises').then((fs) => fs.readFile(opts.rulesPath!, 'utf8'))
          : undefined);
      if (source !== undefined && compiler) core.setDefaultRules(source);
      if (opts.importDir) {
        const { importFirestore } = await import('./persistence.js');
        await importFirestore(core, opts.importDir);
      }
      core.setReady();
    } catch (e) {
      core?.dispose();
      await dual.close();
      throw e;
    }
    const ready = core;
    let stopGc = (): void => {};
    if (opts.idleGc) {
      const { startIdleGc } = await import('./idle-gc.js');
      stopGc = startIdleGc(() => ready.activity);
    }
    const urlHost = host.includes(':') ? `[${host}]` : host;
    let stopped = false;
    return {
      host,
      port,
      url: `http://${urlHost}:${port}`,
      hostAndPort: `${urlHost}:${port}`,
      projectId,
      core: ready,
      loadGrpc: dual.loadGrpc,
      setRules: (src) => ready.setDefaultRules(src),
      clear: (p) => ready.clear({ project: p ?? projectId, database: '(default)' }),
      exportTo: (dir) => import('./persistence.js').then((m) => m.exportFirestore(ready, dir)),
      async stop() {
        if (stopped) return;
        stopped = true;
        stopGc();
        ready.dispose();
        await dual.close();
      },
    };
  };
  let loading: Promise<FirestoreEmulatorHandle> | undefined;
  return {
    host,
    port,
    load: () => (loading ??= load()),
    close: () => {
      coreLoaded(Promise.reject(new Error('firestore emulator closed before loading')));
      return dual.close();
    },
  };
}

export type { RulesCompiler, RulesEngine } from './rules-gate.js';
