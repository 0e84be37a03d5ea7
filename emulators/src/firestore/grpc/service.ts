/**
 * gRPC `google.firestore.v1.Firestore`, as used by firebase-admin (@google-cloud/firestore) and by
 * the full JS SDK in Node (wire-protocols §A.2, §A.3). Protos are loaded at runtime from the
 * installed @google-cloud/firestore package (build/protos/v1.json).
 */
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import type * as grpc from '@grpc/grpc-js';
import { type Caller, callerFromHeader } from '../auth.js';
import { isRecord } from '../codec.js';
import type { FirestoreEmulatorCore } from '../emulator.js';
import type { Value } from '../values.js';
import { Code, FirestoreError, invalid, toFirestoreError } from '../errors.js';
import { type ListenResponse, ListenSession } from '../listen.js';
import * as ops from '../ops.js';
import { parseResource } from '../paths.js';
import {
  encodeDocument,
  encodeFields,
  encodeValue,
  LOADER_OPTIONS,
  protoCodec,
  type ProtoValue,
  ts,
} from './codec.js';

type Msg = Record<string, unknown>;

const DECODE_ERROR = '__decodeError';

function checkDecoded(req: Msg): void {
  const err = req[DECODE_ERROR];
  if (typeof err === 'string') throw invalid(`Invalid protobuf message: ${err}`);
}

/** The parts of protobufjs (the library @grpc/proto-loader is built on) that we use. */
interface PbType {
  decode(buf: Uint8Array): object;
  toObject(msg: object, opts: object): Msg;
  fromObject(obj: Msg): object;
  encode(msg: object): { finish(): Uint8Array };
}
interface PbRoot {
  resolveAll(): PbRoot;
  lookupService(name: string): {
    methodsArray: {
      name: string;
      requestStream?: boolean;
      responseStream?: boolean;
      resolvedRequestType: PbType | null;
      resolvedResponseType: PbType | null;
    }[];
  };
}

/**
 * Builds the service definition straight from protobufjs rather than through proto-loader's
 * `fromJSON`, which also converts every message type to descriptor protos for gRPC reflection:
 * ~90 ms and ~8 MiB of heap that a server without reflection never reads. The codecs are the same
 * as proto-loader's (fromObject + encode; decode + toObject with LOADER_OPTIONS). protobufjs is
 * a direct dependency pinned to the version proto-loader uses, so npm keeps a single copy.
 */
export function loadFirestoreService(): grpc.ServiceDefinition {
  const require = createRequire(import.meta.url);
  const pb = require('protobufjs') as {
    Root: { fromJSON(json: unknown): PbRoot };
  };
  const json: unknown = require('@google-cloud/firestore/build/protos/v1.json');
  const service = pb.Root.fromJSON(json).resolveAll().lookupService('google.firestore.v1.Firestore');
  const out: Record<string, grpc.MethodDefinition<unknown, unknown>> = {};
  for (const m of service.methodsArray) {
    const req = m.resolvedRequestType!;
    const res = m.resolvedResponseType!;
    const serializer = (type: PbType) => (obj: Msg) =>
      Buffer.from(type.encode(type.fromObject(obj)).finish());
    out[m.name] = {
      path: `/google.firestore.v1.Firestore/${m.name}`,
      requestStream: m.requestStream === true,
      responseStream: m.responseStream === true,
      requestSerialize: serializer(req) as (v: unknown) => Buffer,
      responseSerialize: serializer(res) as (v: unknown) => Buffer,
      responseDeserialize: (buf: Buffer) => res.toObject(res.decode(buf), LOADER_OPTIONS),
      // grpc-js answers undecodable messages with INTERNAL; we want INVALID_ARGUMENT, so decoding
      // errors become a marker object that the handlers reject.
      requestDeserialize: (buf: Buffer) => {
        try {
          return req.toObject(req.decode(buf), LOADER_OPTIONS);
        } catch (e) {
          return { [DECODE_ERROR]: e instanceof Error ? e.message : String(e) };
        }
      },
    };
  }
  return out as grpc.ServiceDefinition;
}

function callerOf(md: grpc.Metadata): Caller {
  const v = md.get('authorization')[0];
  return callerFromHeader(typeof v === 'string' ? v : v?.toString());
}

function toStatus(e: unknown): Partial<grpc.StatusObject> {
  const err = toFirestoreError(e);
  return { code: err.code as number as grpc.status, details: err.message };
}

function unary<Req, Res>(
  fn: (req: Req, caller: Caller) => Res | Promise<Res>,
): grpc.handleUnaryCall<Req, Res> {
  return (call, cb) => {
    Promise.resolve()
      .then(() => {
        checkDecoded(call.request as Msg);
        return fn(call.request, callerOf(call.metadata));
      })
      .then(
        (r) => cb(null, r),
        (e: unknown) => cb(toStatus(e) as grpc.ServiceError),
      );
  };
}

function serverStream<Req>(
  fn: (req: Req, caller: Caller) => Promise<ProtoValue[]>,
): grpc.handleServerStreamingCall<Req, ProtoValue> {
  return (call) => {
    Promise.resolve()
      .then(() => {
        checkDecoded(call.request as Msg);
        return fn(call.request, callerOf(call.metadata));
      })
      .then(
        (msgs) => {
          for (const m of msgs) call.write(m);
          call.end();
        },
        (e: unknown) => call.emit('error', toStatus(e)),
      );
  };
}

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

export function createServiceImpl(core: FirestoreEmulatorCore): grpc.UntypedServiceImplementation {
  const codec = protoCodec;
  const impl: grpc.UntypedServiceImplementation = {
    GetDocument: unary<Msg, ProtoValue>(async (req, caller) => {
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
        },
      );
      const first = r[0];
      if (!first || !('found' in first))
        throw new FirestoreError(Code.NOT_FOUND, `Document "${name}" not found.`);
      return encodeDocument(first.found);
    }),
    ListDocuments: unary<Msg, ProtoValue>((req, caller) => {
      const r = ops.listDocuments(core, caller, codec, str(req['parent']), str(req['collectionId']), req);
      return { documents: r.documents.map(encodeDocument), nextPageToken: r.nextPageToken };
    }),
    UpdateDocument: unary<Msg, ProtoValue>(async (req, caller) => {
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
    DeleteDocument: unary<Msg, ProtoValue>((req, caller) => {
      const name = str(req['name']);
      const db = parseResource(name).db;
      ops.commit(core, caller, codec, `projects/${db.project}/databases/${db.database}`, {
        writes: [{ delete: name, currentDocument: req['currentDocument'] }],
      });
      return {};
    }),
    CreateDocument: unary<Msg, ProtoValue>(async (req, caller) => {
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
    BatchGetDocuments: serverStream<Msg>(async (req, caller) => {
      const r = await ops.batchGet(core, caller, str(req['database']), req);
      return r.map((m) => ({
        ...('found' in m ? { found: encodeDocument(m.found) } : { missing: m.missing }),
        readTime: ts(m.readTime),
        transaction: m.transaction,
      }));
    }),
    BeginTransaction: unary<Msg, ProtoValue>((req) => ops.beginTransaction(core, str(req['database']), req)),
    Commit: unary<Msg, ProtoValue>((req, caller) => {
      const r = ops.commit(core, caller, codec, str(req['database']), req);
      return { commitTime: ts(r.commitTime), writeResults: encodeWriteResults(r.writeResults) };
    }),
    Rollback: unary<Msg, ProtoValue>((req) => ops.rollback(core, str(req['database']), req)),
    RunQuery: serverStream<Msg>(async (req, caller) => {
      const r = await ops.runQuery(core, caller, codec, str(req['parent']), req);
      return r.map((m) => ({
        document: m.document ? encodeDocument(m.document) : undefined,
        readTime: ts(m.readTime),
        transaction: m.transaction,
      }));
    }),
    RunAggregationQuery: serverStream<Msg>(async (req, caller) => {
      const r = await ops.runAggregationQuery(core, caller, codec, str(req['parent']), req);
      return r.map((m) => ({
        result: { aggregateFields: encodeFields(m.result.aggregateFields) },
        readTime: ts(m.readTime),
        transaction: m.transaction,
      }));
    }),
    PartitionQuery: unary<Msg, ProtoValue>(() => {
      throw new FirestoreError(Code.UNIMPLEMENTED, 'PartitionQuery is not supported by this emulator.');
    }),
    ListCollectionIds: unary<Msg, ProtoValue>((req, caller) =>
      ops.listCollectionIds(core, caller, str(req['parent']), req),
    ),
    BatchWrite: unary<Msg, ProtoValue>((req, caller) => {
      const r = ops.batchWrite(core, caller, codec, str(req['database']), req);
      return { writeResults: encodeWriteResults(r.writeResults), status: r.status };
    }),
    Write: (call: grpc.ServerDuplexStream<Msg, ProtoValue>) => handleWrite(core, call),
    Listen: (call: grpc.ServerDuplexStream<Msg, ProtoValue>) => handleListen(core, call),
  };
  // Count every call for the idle collector (idle-gc.ts).
  for (const [name, fn] of Object.entries(impl)) {
    impl[name] = ((call: unknown, cb: unknown) => {
      core.activity++;
      return (fn as (c: unknown, cb: unknown) => unknown)(call, cb);
    }) as grpc.UntypedHandleCall;
  }
  return impl;
}

/** The Write stream: a handshake, then one ordered response per batch (§A.2). */
function handleWrite(core: FirestoreEmulatorCore, call: grpc.ServerDuplexStream<Msg, ProtoValue>): void {
  let caller: Caller;
  let database = '';
  let token = 0;
  let failed = false;
  const fail = (e: unknown) => {
    if (failed) return;
    failed = true;
    call.emit('error', toStatus(e));
  };
  try {
    caller = callerOf(call.metadata);
  } catch (e) {
    fail(e);
    return;
  }
  const streamId = randomBytes(8).toString('hex');
  const nextToken = () => Buffer.from(String(++token)).toString('base64');
  call.on('data', (req: Msg) => {
    if (failed) return;
    try {
      checkDecoded(req);
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
      fail(e);
    }
  });
  call.on('end', () => {
    if (!failed) call.end();
  });
  call.on('error', () => {
    failed = true;
  });
}

function handleListen(core: FirestoreEmulatorCore, call: grpc.ServerDuplexStream<Msg, ProtoValue>): void {
  let session: ListenSession;
  try {
    const caller = callerOf(call.metadata);
    session = new ListenSession(
      (id) => core.db(id),
      caller,
      protoCodec,
      (m) => call.write(encodeListen(m)),
    );
  } catch (e) {
    call.emit('error', toStatus(e));
    return;
  }
  call.on('data', (req: Msg) => {
    try {
      checkDecoded(req);
      session.handle(req);
    } catch (e) {
      session.close();
      call.emit('error', toStatus(e));
    }
  });
  const close = () => session.close();
  call.on('end', () => {
    close();
    call.end();
  });
  call.on('cancelled', close);
  call.on('error', close);
  call.on('close', close);
}
