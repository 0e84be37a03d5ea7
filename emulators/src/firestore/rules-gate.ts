/**
 * Security Rules enforcement for non-owner requests. The engine (emulators/src/rules) sits behind
 * the small `RulesEngine` interface so the store does not depend on its internals.
 *
 * Rules are not filters: a list is allowed only if the rule holds for every document the query
 * could return, which the engine decides from the query's constraints
 * (https://firebase.google.com/docs/firestore/security/rules-query). Disjunctions (OR, `in`,
 * `array-contains-any`) are split and every branch must be allowed.
 */
import type {
  Decision,
  DocumentAccess,
  FirestoreDocument,
  QueryConstraint,
  RulesMethod,
  RulesRequest,
} from '../rules/api.js';
import type { Caller } from './auth.js';
import { Code, FirestoreError } from './errors.js';
import type { Filter, Query } from './query.js';
import type { Value } from './values.js';

export interface RulesEngine {
  evaluate(req: RulesRequest): Decision;
}

/** Compiles rules source; throws an error with `issues` ({line,column,message}[]) on bad rules. */
export type RulesCompiler = (source: string) => RulesEngine;

export interface RulesContext {
  engine: RulesEngine | null;
  database: string;
}

export function rulesPath(database: string, docPath: string): string {
  return `/databases/${database}/documents/${docPath}`;
}

export interface CheckInput {
  method: RulesMethod;
  docPath: string;
  resource: FirestoreDocument | null;
  requestResource?: FirestoreDocument | null;
  documents: DocumentAccess;
  accessLimit: 10 | 20;
  time: Date;
  /** Field paths an update changes (`request.writeFields`). */
  writeFields?: string[];
}

/** Throws PERMISSION_DENIED unless the caller may perform `input.method` on the document. */
export function checkDocument(ctx: RulesContext, caller: Caller, input: CheckInput): void {
  if (caller.owner) return;
  const path = rulesPath(ctx.database, input.docPath);
  if (!ctx.engine) {
    throw new FirestoreError(
      Code.PERMISSION_DENIED,
      `PERMISSION_DENIED: No security rules are loaded for this project, so '${input.method}' on ${path} is denied.`,
    );
  }
  const req: RulesRequest = {
    method: input.method,
    path,
    auth: caller.auth,
    time: input.time,
    resource: input.resource,
    documents: input.documents,
    accessLimit: input.accessLimit,
  };
  if (input.writeFields) req.writeFields = input.writeFields;
  if (input.method !== 'get' && input.method !== 'delete')
    req.requestResource = input.requestResource ?? null;
  const d = ctx.engine.evaluate(req);
  if (!d.allowed) {
    throw new FirestoreError(
      Code.PERMISSION_DENIED,
      `PERMISSION_DENIED: Evaluation of Firestore rules failed for '${input.method}' on ${path}: ${d.message}`,
    );
  }
}

const OPS: Record<string, QueryConstraint['op']> = {
  LESS_THAN: '<',
  LESS_THAN_OR_EQUAL: '<=',
  GREATER_THAN: '>',
  GREATER_THAN_OR_EQUAL: '>=',
  EQUAL: '==',
  NOT_EQUAL: '!=',
  ARRAY_CONTAINS: 'array-contains',
  IN: 'in',
  ARRAY_CONTAINS_ANY: 'array-contains-any',
  NOT_IN: 'not-in',
};

const MAX_BRANCHES = 100;

/** Disjunctive normal form of a filter as lists of constraints (each list is one branch). */
export function constraintBranches(f: Filter | undefined): QueryConstraint[][] {
  if (!f) return [[]];
  if (f.kind === 'unary') {
    const nul: Value = { nullValue: null };
    const nan: Value = { doubleValue: 'NaN' };
    const map: Record<string, QueryConstraint> = {
      IS_NULL: { fieldPath: f.field.text, op: '==', value: nul },
      IS_NOT_NULL: { fieldPath: f.field.text, op: '!=', value: nul },
      IS_NAN: { fieldPath: f.field.text, op: '==', value: nan },
      IS_NOT_NAN: { fieldPath: f.field.text, op: '!=', value: nan },
    };
    return [[map[f.op]!]];
  }
  if (f.kind === 'field') {
    if ((f.op === 'IN' || f.op === 'ARRAY_CONTAINS_ANY') && 'arrayValue' in f.value) {
      const op = f.op === 'IN' ? '==' : 'array-contains';
      return (f.value.arrayValue.values ?? []).map((value) => [{ fieldPath: f.field.text, op, value }]);
    }
    return [[{ fieldPath: f.field.text, op: OPS[f.op]!, value: f.value }]];
  }
  if (f.op === 'OR') return f.filters.flatMap(constraintBranches).slice(0, MAX_BRANCHES);
  let acc: QueryConstraint[][] = [[]];
  for (const sub of f.filters) {
    const next: QueryConstraint[][] = [];
    for (const a of acc) for (const b of constraintBranches(sub)) next.push([...a, ...b]);
    if (next.length > MAX_BRANCHES) {
      throw new FirestoreError(
        Code.INVALID_ARGUMENT,
        'Query has too many disjunctions to check against rules.',
      );
    }
    acc = next;
  }
  return acc;
}

/**
 * The path a list is checked against: the collection plus an unknown document id. For a collection
 * group the prefix is unknown too; the engine absorbs it with a `{path=**}` wildcard.
 */
export function listPath(database: string, q: Query): string {
  const coll = q.parent === '' ? q.collectionId : `${q.parent}/${q.collectionId}`;
  return rulesPath(database, coll);
}

export function checkList(
  ctx: RulesContext,
  caller: Caller,
  q: Query,
  documents: DocumentAccess,
  time: Date,
): void {
  if (caller.owner) return;
  const path = listPath(ctx.database, q);
  if (!ctx.engine) {
    throw new FirestoreError(
      Code.PERMISSION_DENIED,
      `PERMISSION_DENIED: No security rules are loaded for this project, so 'list' on ${path} is denied.`,
    );
  }
  // Only the orderBy the query states: the one implied by inequality filters is not given to rules.
  const orderBy = Object.fromEntries(
    q.orderBy.slice(0, q.explicitOrders ?? 0).map((o) => [o.field.text, o.desc ? 'DESC' : 'ASC'] as const),
  );
  for (const constraints of constraintBranches(q.filter)) {
    const req: RulesRequest = {
      method: 'list',
      path,
      auth: caller.auth,
      time,
      resource: null,
      query: {
        limit: q.limit,
        offset: q.offset || undefined,
        orderBy,
        constraints,
        collectionGroup: q.allDescendants,
      },
      documents,
      accessLimit: 10,
    };
    const d = ctx.engine.evaluate(req);
    if (!d.allowed) {
      throw new FirestoreError(
        Code.PERMISSION_DENIED,
        `PERMISSION_DENIED: Evaluation of Firestore rules failed for 'list' on ${path}: ${d.message}`,
      );
    }
  }
}
