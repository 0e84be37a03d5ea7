/**
 * The contract between the Security Rules engine and the emulators that host it.
 * Firestore values cross this boundary in their REST/JSON shape (the same shape the
 * Firestore emulator stores), so neither side has to know the other's internals.
 */

/** A Firestore value in its `google.firestore.v1.Value` JSON form. */
export type FirestoreValue =
  | { nullValue: null }
  | { booleanValue: boolean }
  | { integerValue: string }
  | { doubleValue: number | 'NaN' | 'Infinity' | '-Infinity' }
  | { timestampValue: string }
  | { stringValue: string }
  | { bytesValue: string }
  | { referenceValue: string }
  | { geoPointValue: { latitude: number; longitude: number } }
  | { arrayValue: { values?: FirestoreValue[] } }
  | { mapValue: { fields?: Record<string, FirestoreValue> } };

/** A stored Firestore document as rules see it through `resource`, `get()` and `getAfter()`. */
export interface FirestoreDocument {
  /** Full name: `projects/{p}/databases/{d}/documents/{path}`. */
  name: string;
  fields: Record<string, FirestoreValue>;
}

export type RulesMethod = 'get' | 'list' | 'create' | 'update' | 'delete';

export interface RulesAuth {
  uid: string;
  /** Decoded ID-token claims (`email`, `email_verified`, `firebase.sign_in_provider`, custom claims…). */
  token: Record<string, unknown>;
}

/**
 * Document access for `get/exists/getAfter/existsAfter` (Firestore) and
 * `firestore.get/exists` (Storage). Paths are absolute rules paths:
 * `/databases/{d}/documents/...`. `after` sees the request's pending writes (batch view).
 * Accessors may be async (the Storage emulator asks the Firestore emulator over HTTP);
 * then use `evaluateAsync`.
 */
export interface DocumentAccess {
  get(path: string): FirestoreDocument | null | Promise<FirestoreDocument | null>;
  getAfter?(path: string): FirestoreDocument | null | Promise<FirestoreDocument | null>;
}

/** One constraint of a list query, used to prove `resource.data` properties for `list`. */
export interface QueryConstraint {
  fieldPath: string; // dotted field path, e.g. `owner` or `a.b`
  op: '==' | '!=' | '<' | '<=' | '>' | '>=' | 'in' | 'not-in' | 'array-contains' | 'array-contains-any';
  value: FirestoreValue;
}

export interface RulesRequest {
  method: RulesMethod;
  /** Absolute request path, e.g. `/databases/(default)/documents/users/u1` or `/b/bucket/o/uploads/u1/x/a.png`. */
  path: string;
  auth: RulesAuth | null;
  /** `request.time`. */
  time: Date;
  /**
   * `resource` (the existing document / object). Firestore: a FirestoreDocument or null.
   * Storage: plain JS metadata (name, bucket, size, contentType, metadata, timeCreated, …) or null.
   */
  resource?: FirestoreDocument | Record<string, unknown> | null;
  /** `request.resource`: the document / object as it would be after the write. */
  requestResource?: FirestoreDocument | Record<string, unknown> | null;
  /** Firestore list queries: `request.query` and the constraints that bound `resource`. */
  query?: {
    limit?: number;
    offset?: number;
    /** The query's explicit orderBy, field path → 'ASC' | 'DESC' (`__name__` included if given). */
    orderBy?: Record<string, 'ASC' | 'DESC'>;
    constraints: QueryConstraint[];
    /**
     * Collection-group query (optional extension): `path` is then `{parent}/{collectionId}` and the
     * documents may sit at any depth below `parent`, so only a `{x=**}` wildcard can match them.
     */
    collectionGroup?: boolean;
  };
  /** Firestore document access for `get/exists/getAfter/existsAfter`. */
  documents?: DocumentAccess;
  /** Single-document request: 10 document accesses; batch/transaction: 20. */
  accessLimit?: 10 | 20;
  /** Storage only: the `firestore` service's default database access. */
  firestore?: DocumentAccess;
  /** Firestore update: changed field paths, exposed as the deprecated `request.writeFields` (optional). */
  writeFields?: string[];
  /** Receives each `debug(x)` value, rendered like the emulator's log (`string_value: "alice"`). */
  onDebug?: (message: string) => void;
}

export interface AllowOutcome {
  line: number;
  column: number;
  /** The method the allow statement names (`read`, `write`, `get`, …). */
  method: string;
  result: 'true' | 'false' | 'error';
  /** For errors: a readable reason, e.g. "Property foo is undefined on object." */
  error?: string;
  /** For errors: where the failing sub-expression starts (the emulator's `evaluation error at L12:24`). */
  errorAt?: { line: number; column: number };
}

export interface Decision {
  allowed: boolean;
  /** The allow statement that granted the request. */
  grantedBy?: AllowOutcome;
  /** Every allow statement that was evaluated, in source order. */
  evaluated: AllowOutcome[];
  /** Readable explanation in the official emulator's style for permission-denied messages. */
  message: string;
}

export interface RulesCompileIssue {
  line: number;
  column: number;
  message: string;
}
