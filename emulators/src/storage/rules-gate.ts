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
  /** The file (setRules `name`) the issue is in, when several were loaded together. */
  file?: string;
}

/** One ruleset per bucket (firebase.json deploy targets, setRules with `resource`s). */
export interface BucketRules {
  bucket: string;
  /** Shown in issues and logs (file name). */
  name: string;
  source: string;
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
  /** The ruleset of every bucket, unless `perBucket` is set. */
  private ruleset: StorageRuleset | undefined;
  /** Per-bucket rulesets; a bucket without one has no rules (every SDK request is denied). */
  private perBucket: Map<string, StorageRuleset> | undefined;

  constructor(
    private readonly compile: RulesCompiler,
    private readonly projectId: string,
    private firestore: { host: string; port: number } | null,
    private readonly log: (msg: string) => void = () => undefined,
  ) {}

  /** Whether `bucket` has a ruleset (one for all buckets, or its own). */
  loadedFor(bucket: string): boolean {
    return this.rulesetFor(bucket) !== undefined;
  }

  private rulesetFor(bucket: string): StorageRuleset | undefined {
    return this.perBucket ? this.perBucket.get(bucket) : this.ruleset;
  }

  setFirestore(target: { host: string; port: number } | null): void {
    this.firestore = target;
  }

  /** One ruleset for every bucket; on a compile error the previous rules stay active. */
  load(source: string): void {
    const compiled = this.compileOne(source);
    this.ruleset = compiled;
    this.perBucket = undefined;
  }

  /**
   * A ruleset per bucket, replacing whatever was loaded; buckets not named have none. All files
   * compile or nothing changes (RulesLoadError with every file's issues, each naming its file).
   */
  loadPerBucket(files: readonly BucketRules[]): void {
    const next = new Map<string, StorageRuleset>();
    const issues: RulesIssue[] = [];
    const messages: string[] = [];
    for (const f of files) {
      try {
        next.set(f.bucket, this.compileOne(f.source));
      } catch (err) {
        const e = err as RulesLoadError;
        issues.push(...e.issues.map((i) => ({ ...i, file: f.name })));
        messages.push(`${f.name}: ${e.message}`);
      }
    }
    if (messages.length > 0) throw new RulesLoadError(messages.join('\n'), issues);
    this.perBucket = next;
    this.ruleset = undefined;
  }

  private compileOne(source: string): StorageRuleset {
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
    return compiled;
  }

  async check(req: CheckRequest): Promise<CheckResult> {
    if (req.caller.admin) return { allowed: true, message: 'admin' };
    const ruleset = this.rulesetFor(req.bucket);
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
