/**
 * The emulator's state: databases per (project, database) - projects never see each other's data -
 * and the ruleset per project (a `PUT …:securityRules` replaces it; projects without one use the
 * rules file given at start-up).
 */
import { Database } from './database.js';
import { Code, FirestoreError } from './errors.js';
import { ListenHub } from './listen.js';
import type { DatabaseId } from './paths.js';
import type { RulesCompiler, RulesContext, RulesEngine } from './rules-gate.js';

export interface CompileIssue {
  line: number;
  column: number;
  message: string;
}

export class RulesRejected extends Error {
  constructor(
    message: string,
    readonly issues: CompileIssue[],
  ) {
    super(message);
  }
}

export class FirestoreEmulatorCore {
  private readonly dbs = new Map<string, Database>();
  private readonly projectRules = new Map<string, RulesEngine>();
  private defaultRules: RulesEngine | null = null;
  /** Incremented per request; lets the idle collector see when the emulator is quiet. */
  activity = 0;

  private compiler: RulesCompiler | null;
  private markReady: () => void = () => {};
  /**
   * Resolves once the rules engine is loaded and the start-up ruleset and import are in place.
   * The port opens before that (so `GET /` answers at once); every other request awaits it.
   */
  readonly ready: Promise<void>;

  constructor(
    readonly defaultProject: string,
    compiler: RulesCompiler | null,
  ) {
    this.compiler = compiler;
    this.ready = new Promise<void>((resolve) => {
      this.markReady = resolve;
    });
  }

  setCompiler(compiler: RulesCompiler | null): void {
    this.compiler = compiler;
  }

  setReady(): void {
    this.markReady();
  }

  get hasCompiler(): boolean {
    return this.compiler !== null;
  }

  db(id: DatabaseId): Database {
    const key = `${id.project}/${id.database}`;
    let db = this.dbs.get(key);
    if (!db) {
      db = new Database(id, () => this.rulesFor(id));
      db.listeners = new ListenHub();
      this.dbs.set(key, db);
    }
    return db;
  }

  databases(): Database[] {
    return [...this.dbs.values()];
  }

  private rulesFor(id: DatabaseId): RulesContext {
    return { engine: this.projectRules.get(id.project) ?? this.defaultRules, database: id.database };
  }

  compile(source: string): RulesEngine {
    if (!this.compiler) {
      throw new FirestoreError(Code.UNAVAILABLE, 'The Security Rules engine is not available in this build.');
    }
    try {
      return this.compiler(source);
    } catch (e) {
      const issues = (e as { issues?: CompileIssue[] }).issues;
      if (Array.isArray(issues)) throw new RulesRejected(e instanceof Error ? e.message : String(e), issues);
      throw e;
    }
  }

  setDefaultRules(source: string): void {
    this.defaultRules = this.compile(source);
  }

  setProjectRules(project: string, source: string): void {
    this.projectRules.set(project, this.compile(source));
  }

  clear(id: DatabaseId): void {
    this.dbs.get(`${id.project}/${id.database}`)?.clear();
  }

  dispose(): void {
    for (const db of this.dbs.values()) db.dispose();
  }
}
