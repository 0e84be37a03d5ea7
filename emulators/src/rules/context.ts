/**
 * Per-request evaluation state: the service variables (`request`, `resource`), capture slots,
 * limit counters and document access with its cache.
 */
import type { FirestoreDocument, RulesRequest } from './api.js';
import { dateValue, documentValue, fromFirestore, fromJs, isFirestoreDocument } from './convert.js';
import { conversions } from './stdlib/misc.js';
import {
  EvalError,
  FatalEvalError,
  MapSource,
  type Bound,
  RBounded,
  RConstraintMap,
  RMap,
  RPath,
  type RVal,
  show,
  typeName,
} from './values.js';

/** Marks a capture that absorbed the unknown document id of a list query [HID paths]. */
export class Unbound {}
export const UNBOUND = new Unbound();

/** Thrown out of a synchronous run when an accessor returned a Promise; evaluateAsync awaits it and re-runs. */
export class NeedAsync {
  constructor(
    readonly key: string,
    readonly promise: Promise<FirestoreDocument | null>,
  ) {}
}

/** A cached accessor failure: re-raised as an evaluation error on every later access. */
class AccessFailure {
  constructor(readonly message: string) {}
}
export type DocCache = Map<string, FirestoreDocument | null | AccessFailure>;

export function failure(message: string): AccessFailure {
  return new AccessFailure(message);
}

/** [RS] limits table. */
export const MAX_STEPS = 1000;
export const MAX_DEPTH = 20;
/** The Storage emulator's `FIRESTORE_DOCUMENT_READ_LIMIT` for `firestore.get/exists` [FT-S runtime.ts]. */
export const STORAGE_CROSS_SERVICE_LIMIT = 2;

export type Service = 'cloud.firestore' | 'firebase.storage';

export class Ctx {
  steps = 0;
  depth = 0;
  readonly captures: (RVal | Unbound)[];
  private requestVal: RVal | undefined;
  private resourceVal: RVal | undefined;
  private resourceDone = false;
  private touched: Set<string> | undefined;

  constructor(
    readonly req: RulesRequest,
    readonly service: Service,
    readonly pathVal: RPath,
    captureSlots: number,
    private cache: DocCache | undefined,
    /** List evaluation: the query's `==`-pinned fields ([RQ]: rules are not filters). */
    readonly known: Map<string, RVal> | undefined,
  ) {
    this.captures = new Array(captureSlots);
  }

  /** `request`, built lazily entry by entry: most conditions read one or two of its fields. */
  request(): RVal {
    this.requestVal ??= new RMap(new RequestSource(this));
    return this.requestVal;
  }

  /** `request.resource`. */
  requestResource(): RVal {
    return this.hostResource(this.req.requestResource);
  }

  resource(): RVal {
    if (this.resourceDone) return this.resourceVal as RVal;
    this.resourceDone = true;
    if (this.known) {
      this.resourceVal = RMap.of(new Map<string, RVal>([['data', new RConstraintMap(this.known, '')]]));
    } else {
      this.resourceVal = this.hostResource(this.req.resource);
    }
    return this.resourceVal;
  }

  hostResource(v: RulesRequest['resource']): RVal {
    if (v === undefined || v === null) return null;
    if (this.service === 'cloud.firestore' && isFirestoreDocument(v)) return documentValue(v);
    return fromJs(v);
  }

  debug(v: RVal): RVal {
    this.req.onDebug?.(`${typeName(v)}_value: ${show(v)}`);
    return v;
  }

  /**
   * `get/exists/getAfter/existsAfter` (Firestore) and `firestore.get/exists` (Storage) [R.fs][SREF].
   * Distinct documents count against the limit (10 single / 20 batch [RC][RS]); repeated calls
   * for one document are cached and count once. Exceeding the limit denies the request.
   */
  access(fn: string, arg: RVal): RVal {
    let p: RPath;
    if (arg instanceof RPath) p = arg;
    else if (typeof arg === 'string') p = conversions.path!(arg) as RPath;
    else throw new EvalError(`Invalid argument for ${fn}: expected path, received ${typeName(arg)}.`);
    if (p.placeholders?.some((x) => x))
      throw new EvalError(`Invalid argument for ${fn}: path has unbound variables.`);
    const s = p.segs;
    if (s.length < 5 || s[0] !== 'databases' || s[2] !== 'documents' || (s.length - 3) % 2 !== 0) {
      throw new EvalError(`Invalid argument for ${fn}: ${p.toString()} is not a document path.`);
    }
    const storage = fn.startsWith('firestore.');
    const after = fn.endsWith('After');
    const pathStr = p.toString();
    const key = `${storage ? 'F' : after ? 'A' : 'B'}${pathStr}`;
    this.touched ??= new Set();
    if (!this.touched.has(key)) {
      this.touched.add(key);
      const limit = storage ? STORAGE_CROSS_SERVICE_LIMIT : (this.req.accessLimit ?? 10);
      if (this.touched.size > limit) {
        throw new FatalEvalError(`Exceeded maximum of ${limit} document access calls (${fn} ${pathStr}).`);
      }
    }
    this.cache ??= new Map();
    let doc = this.cache.get(key);
    if (doc === undefined) {
      let got: FirestoreDocument | null | Promise<FirestoreDocument | null>;
      try {
        got = this.fetch(storage, after, pathStr, p);
      } catch (e) {
        got = null;
        doc = failure(
          `Service call error. Function: [${fn}], Argument: [${pathStr}]. ${(e as Error)?.message ?? e}`,
        );
      }
      if (got instanceof Promise) throw new NeedAsync(key, got);
      if (doc === undefined) doc = got;
      this.cache.set(key, doc);
    }
    if (doc instanceof AccessFailure) throw new EvalError(doc.message);
    const isExists = fn === 'exists' || fn === 'existsAfter' || fn === 'firestore.exists';
    if (isExists) return doc !== null;
    // The emulator (and reportedly production) errors instead of returning null [FT#2067][JS#3908].
    if (doc === null)
      throw new EvalError(
        `Service call error. Function: [${fn}], Argument: [${pathStr}]. Document not found.`,
      );
    return documentValue(doc);
  }

  private fetch(
    storage: boolean,
    after: boolean,
    pathStr: string,
    p: RPath,
  ): FirestoreDocument | null | Promise<FirestoreDocument | null> {
    const acc = storage ? this.req.firestore : this.req.documents;
    if (!acc) throw new Error('no document access configured');
    if (!after) return acc.get(pathStr);
    if (acc.getAfter) return acc.getAfter(pathStr);
    // Without a batch view, the request's own write is the only pending one.
    if (p.segs.join('/') === this.pathVal.segs.join('/')) {
      const rr = this.req.requestResource;
      return rr && isFirestoreDocument(rr) ? rr : null;
    }
    return acc.get(pathStr);
  }
}

/** The fields of `request` [R.fsReq][SREF], computed on first read. */
class RequestSource extends MapSource {
  private readonly memo = new Map<string, RVal>();
  constructor(private readonly ctx: Ctx) {
    super();
  }
  keys(): string[] {
    const r = this.ctx.req;
    const k = ['auth', 'method', 'path', 'time', 'resource', 'params'];
    if (r.query) k.push('query');
    if (r.writeFields) k.push('writeFields');
    return k;
  }
  get(k: string): RVal | undefined {
    const hit = this.memo.get(k);
    if (hit !== undefined) return hit;
    const v = this.compute(k);
    if (v !== undefined) this.memo.set(k, v);
    return v;
  }
  private compute(k: string): RVal | undefined {
    const r = this.ctx.req;
    switch (k) {
      case 'auth':
        return r.auth
          ? RMap.of(
              new Map<string, RVal>([
                ['uid', r.auth.uid],
                ['token', fromJs(r.auth.token ?? {})],
              ]),
            )
          : null;
      case 'method':
        return r.method;
      case 'path':
        return this.ctx.pathVal;
      case 'time':
        return dateValue(r.time);
      case 'resource':
        return this.ctx.requestResource();
      case 'params':
        return RMap.of(new Map());
      case 'query': {
        if (!r.query) return undefined;
        // As Google's emulator gives them (issue 18 harness): limit null when unset (so
        // `request.query.limit <= 10` fails without a limit [RQ]), offset 0, orderBy a map of the
        // ordered fields to 'ASC'/'DESC' (empty without an explicit orderBy).
        const q = new Map<string, RVal>();
        q.set('limit', r.query.limit !== undefined ? BigInt(r.query.limit) : null);
        q.set('offset', BigInt(r.query.offset ?? 0));
        q.set('orderBy', RMap.of(new Map(Object.entries(r.query.orderBy ?? {}))));
        return RMap.of(q);
      }
      case 'writeFields':
        return r.writeFields ? [...r.writeFields] : undefined;
    }
    return undefined;
  }
}

/**
 * A list query's constraints → what `resource.data` is known to be: `==` pins a field's value,
 * other comparisons bound it ([FT-S] constraint comparators; `not-in` is one `!=` per value).
 */
export function knownFields(
  constraints: readonly { fieldPath: string; op: string; value: unknown }[],
): Map<string, RVal> {
  const m = new Map<string, RVal>();
  const bounds = new Map<string, Bound[]>();
  const bound = (field: string, b: Bound) => bounds.set(field, [...(bounds.get(field) ?? []), b]);
  for (const c of constraints) {
    if (c.op === '==') m.set(c.fieldPath, fromFirestore(c.value));
    else if (c.op === 'not-in') {
      const list = fromFirestore(c.value);
      if (Array.isArray(list)) for (const value of list) bound(c.fieldPath, { op: '!=', value });
    } else if (BOUND_OPS.has(c.op))
      bound(c.fieldPath, { op: c.op as Bound['op'], value: fromFirestore(c.value) });
  }
  for (const [field, b] of bounds) if (!m.has(field)) m.set(field, new RBounded(b));
  return m;
}

const BOUND_OPS = new Set(['!=', '<', '<=', '>', '>=', 'array-contains']);
