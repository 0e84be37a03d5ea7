/**
 * The emulator's only contact with the rules engine: load a ruleset, answer "may this caller do
 * this?". Method mapping follows the Storage rules reference
 * (https://firebase.google.com/docs/storage/security/core-syntax#granular_operations):
 * get = download / metadata read, list, create = write of a new object, update = overwrite or
 * metadata change, delete. `firestore.get/exists` read the running Firestore emulator over REST.
 */
import type {
  Decision,
  DocumentAccess,
  FirestoreDocument,
  RulesAuth,
  RulesMethod,
  RulesRequest,
} from '../rules/api.js';
import type { Caller } from './auth.js';

/** What the emulator needs from a compiled ruleset (a subset of the engine's CompiledRuleset). */
export interface StorageRuleset {
  readonly service?: unknown;
  readonly version?: unknown;
  evaluateAsync(req: RulesRequest): Promise<Decision>;
}

/** Compiles rules source; throws an error whose message carries `line:column` on bad input. */
export type RulesCompiler = (source: string) => StorageRuleset;

export interface RulesIssue {
  line: number;
  column: number;
  message: string;
}

export class RulesLoadError extends Error {
  constructor(
    message: string,
    readonly issues: RulesIssue[],
  ) {
    super(message);
  }
}

export interface CheckRequest {
  method: RulesMethod;
  bucket: string;
  /** Object name, or for `list` the prefix without its trailing `/`. */
  name: string;
  caller: Caller;
  resource?: Record<string, unknown> | null;
  requestResource?: Record<string, unknown> | null;
  /** `request.time`; writes pass the instant they stamp as timeCreated/updated so the two agree. */
  time?: Date;
}

export interface CheckResult {
  allowed: boolean;
  message: string;
}

export class RulesGate {
  private ruleset: StorageRuleset | undefined;

  constructor(
    private readonly compile: RulesCompiler,
    private readonly projectId: string,
    private firestore: { host: string; port: number } | null,
    private readonly log: (msg: string) => void = () => undefined,
  ) {}

  get loaded(): boolean {
    return this.ruleset !== undefined;
  }

  setFirestore(target: { host: string; port: number } | null): void {
    this.firestore = target;
  }

  /** Replace the ruleset; on a compile error the previous ruleset stays active. */
  load(source: string): void {
    let compiled: StorageRuleset;
    try {
      compiled = this.compile(source);
    } catch (err) {
      const issues = issuesOf(err);
      const message = err instanceof Error ? err.message : String(err);
      throw new RulesLoadError(message, issues);
    }
    if (compiled.service !== undefined && compiled.service !== 'firebase.storage') {
      throw new RulesLoadError(
        `Rules are for service ${String(compiled.service)}, not firebase.storage.`,
        [],
      );
    }
    this.ruleset = compiled;
  }

  async check(req: CheckRequest): Promise<CheckResult> {
    if (req.caller.admin) return { allowed: true, message: 'admin' };
    const ruleset = this.ruleset;
    if (!ruleset)
      return {
        allowed: false,
        message: 'Storage Emulator has no loaded ruleset.',
      };
    // Listing needs rules_version 2 (https://firebase.google.com/docs/rules/version); firebase-tools
    // denies it without asking the runtime.
    if (req.method === 'list' && ruleset.version !== undefined && String(ruleset.version) !== '2') {
      return { allowed: false, message: 'list requires rules_version = "2".' };
    }
    const request: RulesRequest = {
      method: req.method,
      // Listing the bucket root has no object segment; `{all=**}` matches it (zero segments).
      path: req.name ? `/b/${req.bucket}/o/${req.name}` : `/b/${req.bucket}/o`,
      auth: req.caller.auth as RulesAuth | null,
      time: req.time ?? new Date(),
      resource: req.resource ?? null,
      requestResource: req.requestResource ?? null,
      firestore: this.documentAccess(),
    };
    try {
      const decision = await ruleset.evaluateAsync(request);
      if (!decision.allowed) this.log(`denied ${req.method} ${request.path}: ${decision.message}`);
      return { allowed: decision.allowed, message: decision.message };
    } catch (err) {
      // An engine failure must deny, never crash the server or allow.
      const message = err instanceof Error ? err.message : String(err);
      this.log(`rules evaluation failed for ${req.method} ${request.path}: ${message}`);
      return { allowed: false, message };
    }
  }

  private documentAccess(): DocumentAccess {
    const target = this.firestore;
    const projectId = this.projectId;
    return {
      async get(path: string): Promise<FirestoreDocument | null> {
        if (!target)
          throw new Error('firestore.get() needs the Firestore emulator, which is not configured.');
        const encoded = path
          .split('/')
          .map((s) => encodeURIComponent(s))
          .join('/');
        const url = `http://${target.host}:${target.port}/v1/projects/${encodeURIComponent(projectId)}${encoded.startsWith('/') ? '' : '/'}${encoded}`;
        const res = await fetch(url, {
          headers: { Authorization: 'Bearer owner' },
        });
        if (res.status === 404) {
          await res.body?.cancel();
          return null;
        }
        if (!res.ok) throw new Error(`Firestore emulator answered ${res.status} for ${path}`);
        const doc = (await res.json()) as {
          name?: string;
          fields?: FirestoreDocument['fields'];
        };
        return { name: doc.name ?? path, fields: doc.fields ?? {} };
      },
    };
  }
}

function issuesOf(err: unknown): RulesIssue[] {
  if (err && typeof err === 'object' && 'issues' in err && Array.isArray(err.issues)) {
    return (err.issues as unknown[]).filter(
      (i): i is RulesIssue =>
        !!i &&
        typeof i === 'object' &&
        typeof (i as RulesIssue).line === 'number' &&
        typeof (i as RulesIssue).column === 'number',
    );
  }
  return [];
}
