/**
 * gRPC `google.firestore.v1.Firestore`, as used by firebase-admin (@google-cloud/firestore) and by
 * the full JS SDK in Node (wire-protocols §A.2, §A.3). Protos are loaded at runtime from the
 * installed @google-cloud/firestore package (build/protos/v1.json).
 */
import { randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http2';
import { type Caller, callerFromHeader } from '../auth.js';
import { isRecord } from '../codec.js';
import type { FirestoreEmulatorCore } from '../emulator.js';
import type { Value } from '../values.js';
import { Code, FirestoreError, invalid } from '../errors.js';
import { type ListenResponse, ListenSession } from '../listen.js';
import * as ops from '../ops.js';
import { parseResource } from '../paths.js';
import { firestoreProtos } from '../protos.js';
import {
  encodeDocument,
  encodeFields,
  encodeValue,
  LOADER_OPTIONS,
  protoCodec,
  type ProtoValue,
  ts,
} from './codec.js';
import type { GrpcMethod, MethodCodec, Msg, StreamCall } from './transport.js';

interface MethodShape extends MethodCodec {
  requestStream: boolean;
  responseStream: boolean;
}

/**
 * Request decoders and response encoders for every method, straight from protobufjs and the
 * Firestore protos shipped in @google-cloud/firestore (@grpc/proto-loader's `fromJSON` would also
 * build reflection descriptors: ~90 ms and ~8 MiB that a server without reflection never reads).
 * Objects have proto-loader's shape (LOADER_OPTIONS), which codec.ts converts. protobufjs is pinned
 * to the version firebase-admin's gRPC stack uses, so npm keeps a single copy.
 */
export function loadFirestoreCodecs(): Map<string, MethodShape> {
  const service = firestoreProtos().lookupService('google.firestore.v1.Firestore');
  const out = new Map<string, MethodShape>();
  for (const m of service.methodsArray) {
    const req = m.resolvedRequestType!;
    const res = m.resolvedResponseType!;
    out.set(m.name, {
      requestStream: m.requestStream === true,
      responseStream: m.responseStream === true,
      decode: (buf) => {
        let decoded: ReturnType<typeof req.decode>;
        try {
          decoded = req.decode(buf);
        } catch (e) {
          throw invalid(`Invalid protobuf message: ${e instanceof Error ? e.message : String(e)}`);
        }
        return req.toObject(decoded, LOADER_OPTIONS) as Msg;
      },
      encode: (obj) => res.encode(res.fromObject(obj)).finish(),
    });
  }
  return out;
}

function callerOf(headers: IncomingHttpHeaders): Caller {
  return callerFromHeader(headers.authorization);
}

type Unary = (req: Msg, caller: Caller) => ProtoValue | Promise<ProtoValue>;
type ServerStream = (req: Msg, caller: Caller) => Promise<ProtoValue[]>;
type Impl =
  | { kind: 'unary'; fn: Unary }
  | { kind: 'serverStream'; fn: ServerStream }
  | { kind: 'bidi'; fn: (call: StreamCall) => void };

const unary = (fn: Unary): Impl => ({ kind: 'unary', fn });
const serverStream = (fn: ServerStream): Impl => ({ kind: 'serverStream', fn });

function encodeListen(m: ListenResponse): ProtoValue {
  if ('targetChange' in m) {
    const t = m.targetChange;
    return { targetChange: { ...t, readTime: ts(t.readTime) } };
  }
  if ('documentChange' in m)
    return { documentChange: { ...m.documentChange, document: encodeDocument(m.documentChange.document) } };
  if ('documentDelete' in m)
    return { documentDelete: { ...m.documentDelete, readTime: ts(m.documentDelete.readTime) } };
  return { documentRemove: { ...m.documentRemove, readTime: ts(m.documentRemove.readTime) } };
}

function encodeWriteResults(rs: { updateTime?: string; transformResults?: Value[] }[]): ProtoValue[] {
  return rs.map((r) => ({
    updateTime: ts(r.updateTime),
    transformResults: (r.transformResults ?? []).map(encodeValue),
  }));
}

function str(x: unknown): string {
  return typeof x === 'string' ? x : '';
}

/** `google.firestore.v1.Firestore`'s methods by gRPC path, for transport.ts. */
export function createFirestoreMethods(core: FirestoreEmulatorCore): Map<string, GrpcMethod> {
  const codec = protoCodec;
  const impl: Record<string, Impl> = {
    GetDocument: unary(async (req, caller) => {
      const name = str(req['name']);
      const database = parseResource(name).db;
      const r = await ops.batchGet(
        core,
        caller,
        `projects/${database.project}/databases/${database.database}`,
        {
          documents: [name],
          mask: req['mask'],
          transaction: req['transaction'],
          readTime: req['readTime'],
        },
        codec,
      );
      const first = r[0];
      if (!first || !('found' in first))
        throw new FirestoreError(Code.NOT_FOUND, `Document "${name}" not found.`);
      return encodeDocument(first.found);
    }),
    ListDocuments: unary((req, caller) => {
      const r = ops.listDocuments(core, caller, codec, str(req['parent']), str(req['collectionId']), req);
      return { documents: r.documents.map(encodeDocument), nextPageToken: r.nextPageToken };
    }),
    UpdateDocument: unary(async (req, caller) => {
      const doc = isRecord(req['document']) ? req['document'] : {};
      const name = str(doc['name']);
      const db = parseResource(name).db;
      const database = `projects/${db.project}/databases/${db.database}`;
      ops.commit(core, caller, codec, database, {
        writes: [{ update: doc, updateMask: req['updateMask'], currentDocument: req['currentDocument'] }],
      });
      const r = await ops.batchGet(core, { owner: true, auth: null }, database, { documents: [name] });
      const first = r[0];
      return first && 'found' in first ? encodeDocument(first.found) : {};
    }),
    DeleteDocument: unary((req, caller) => {
      const name = str(req['name']);
      const db = parseResource(name).db;
      ops.commit(core, caller, codec, `projects/${db.project}/databases/${db.database}`, {
        writes: [{ delete: name, currentDocument: req['currentDocument'] }],
      });
      return {};
    }),
    CreateDocument: unary(async (req, caller) => {
      const parent = str(req['parent']);
      const id =
        str(req['documentId']) || randomBytes(15).toString('base64url').replace(/[-_]/g, 'x').slice(0, 20);
      const name = `${parent}/${str(req['collectionId'])}/${id}`;
      const db = parseResource(name).db;
      const database = `projects/${db.project}/databases/${db.database}`;
      const doc = isRecord(req['document']) ? req['document'] : {};
      ops.commit(core, caller, codec, database, {
        writes: [{ update: { name, fields: doc['fields'] ?? {} }, currentDocument: { exists: false } }],
      });
      const r = await ops.batchGet(core, { owner: true, auth: null }, database, { documents: [name] });
      const first = r[0];
      return first && 'found' in first ? encodeDocument(first.found) : {};
    }),
    BatchGetDocuments: serverStream(async (req, caller) => {
      const r = await ops.batchGet(core, caller, str(req['database']), req, codec);
      return r.map((m) => ({
        ...('found' in m ? { found: encodeDocument(m.found) } : { missing: m.missing }),
        readTime: ts(m.readTime),
        transaction: m.transaction,
      }));
    }),
    BeginTransaction: unary((req) => ops.beginTransaction(core, str(req['database']), req, codec)),
    Commit: unary((req, caller) => {
      const r = ops.commit(core, caller, codec, str(req['database']), req);
      return { commitTime: ts(r.commitTime), writeResults: encodeWriteResults(r.writeResults) };
    }),
    Rollback: unary((req) => ops.rollback(core, str(req['database']), req)),
    RunQuery: serverStream(async (req, caller) => {
      const r = await ops.runQuery(core, caller, codec, str(req['parent']), req);
      return r.map((m) => ({
        document: m.document ? encodeDocument(m.document) : undefined,
        readTime: ts(m.readTime),
        transaction: m.transaction,
      }));
    }),
    RunAggregationQuery: serverStream(async (req, caller) => {
      const r = await ops.runAggregationQuery(core, caller, codec, str(req['parent']), req);
      return r.map((m) => ({
        result: { aggregateFields: encodeFields(m.result.aggregateFields) },
        readTime: ts(m.readTime),
        transaction: m.transaction,
      }));
    }),
    PartitionQuery: unary(async (req, caller) => {
      const r = await ops.partitionQuery(core, caller, codec, str(req['parent']), req);
      return {
        partitions: r.partitions.map((c) => ({ values: c.values.map(encodeValue) })),
        nextPageToken: r.nextPageToken,
      };
    }),
    ListCollectionIds: unary((req, caller) => ops.listCollectionIds(core, caller, str(req['parent']), req)),
    BatchWrite: unary((req, caller) => {
      const r = ops.batchWrite(core, caller, codec, str(req['database']), req);
      return { writeResults: encodeWriteResults(r.writeResults), status: r.status };
    }),
    Write: { kind: 'bidi', fn: (call) => handleWrite(core, call) },
    Listen: { kind: 'bidi', fn: (call) => handleListen(core, call) },
  };
  const methods = new Map<string, GrpcMethod>();
  for (const [name, shape] of loadFirestoreCodecs()) {
    const path = `/google.firestore.v1.Firestore/${name}`;
    const m = impl[name];
    // Methods the protos add later answer UNIMPLEMENTED from the transport.
    if (!m) continue;
    const { decode, encode } = shape;
    if (m.kind === 'bidi') methods.set(path, { kind: 'bidi', decode, encode, handle: m.fn });
    else if (m.kind === 'unary')
      methods.set(path, { kind: 'unary', decode, encode, handle: (req, h) => m.fn(req, callerOf(h)) });
    else
      methods.set(path, { kind: 'serverStream', decode, encode, handle: (req, h) => m.fn(req, callerOf(h)) });
  }
  return methods;
}

/** The Write stream: a handshake, then one ordered response per batch (§A.2). */
function handleWrite(core: FirestoreEmulatorCore, call: StreamCall): void {
  let caller: Caller;
  try {
    caller = callerOf(call.headers);
  } catch (e) {
    call.fail(e);
    return;
  }
  let database = '';
  let token = 0;
  const streamId = randomBytes(8).toString('hex');
  const nextToken = () => Buffer.from(String(++token)).toString('base64');
  call.on('data', (req: Msg) => {
    try {
      if (database === '') {
        database = str(req['database']);
        parseResource(database, false);
        call.write({ streamId, streamToken: nextToken(), writeResults: [] });
        return;
      }
      const writes = Array.isArray(req['writes']) ? req['writes'] : [];
      if (writes.length === 0) return;
      const r = ops.commit(core, caller, protoCodec, database, { writes });
      call.write({
        streamToken: nextToken(),
        commitTime: ts(r.commitTime),
        writeResults: encodeWriteResults(r.writeResults),
      });
    } catch (e) {
      call.fail(e);
    }
  });
  call.on('end', () => call.end());
}

function handleListen(core: FirestoreEmulatorCore, call: StreamCall): void {
  let session: ListenSession;
  try {
    session = new ListenSession(
      (id) => core.db(id),
      callerOf(call.headers),
      protoCodec,
      (m) => call.write(encodeListen(m)),
    );
  } catch (e) {
    call.fail(e);
    return;
  }
  call.on('data', (req: Msg) => {
    try {
      session.handle(req);
    } catch (e) {
      session.close();
      call.fail(e);
    }
  });
  call.on('end', () => call.end());
  call.on('close', () => session.close());
}
