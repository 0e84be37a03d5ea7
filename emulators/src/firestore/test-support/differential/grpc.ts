/**
 * The harness's requests over gRPC (google.firestore.v1.Firestore, as firebase-admin sends them):
 * a REST-shaped body is turned into the proto message, sent with @grpc/grpc-js, and the answers
 * turned back into REST shape, so compare.ts reduces both transports alike. Errors come back as
 * REST would carry them ({error:{status,message}} with the HTTP status of the gRPC code).
 */
import { createRequire } from 'node:module';
import { Client, credentials, Metadata, type ServiceError } from '@grpc/grpc-js';
import { isRecord } from '../../codec.js';
import { type CodeNumber, FirestoreError } from '../../errors.js';
import { encodeFields, encodeValue, LOADER_OPTIONS, protoCodec } from '../../grpc/codec.js';
import { formatTimestamp, parseTimestamp, timestampToProto } from '../../timestamps.js';
import type { Value } from '../../values.js';
import type { Json } from './corpus.js';

interface PbType {
  decode(buf: Uint8Array): object;
  toObject(msg: object, opts: object): Json;
  fromObject(obj: Json): object;
  encode(msg: object): { finish(): Uint8Array };
}

interface Method {
  request: PbType;
  response: PbType;
  stream: boolean;
}

let methods: Map<string, Method> | undefined;

function load(): Map<string, Method> {
  if (methods) return methods;
  const require = createRequire(import.meta.url);
  const pb = require('protobufjs') as {
    Root: {
      fromJSON(json: unknown): {
        resolveAll(): {
          lookupService(n: string): {
            methodsArray: {
              name: string;
              responseStream?: boolean;
              resolvedRequestType: PbType | null;
              resolvedResponseType: PbType | null;
            }[];
          };
        };
      };
    };
  };
  const root = pb.Root.fromJSON(require('@google-cloud/firestore/build/protos/v1.json'));
  methods = new Map();
  for (const m of root.resolveAll().lookupService('google.firestore.v1.Firestore').methodsArray) {
    methods.set(m.name, {
      request: m.resolvedRequestType!,
      response: m.resolvedResponseType!,
      stream: m.responseStream === true,
    });
  }
  return methods;
}

const clients = new Map<string, Client>();

function clientFor(base: string): Client {
  let c = clients.get(base);
  if (!c) {
    c = new Client(new URL(base).host, credentials.createInsecure());
    clients.set(base, c);
  }
  return c;
}

export function closeGrpcClients(): void {
  for (const c of clients.values()) c.close();
  clients.clear();
}

// ---- REST shape → proto shape ----

// Google's emulator answers times with 6 digits: canonical (9-digit) form first.
const time = (t: unknown) => (typeof t === 'string' ? timestampToProto(parseTimestamp(t)) : t);
const value = (v: unknown) => (isRecord(v) ? encodeValue(v as Value) : v);

function filter(f: Json): Json {
  if (isRecord(f['compositeFilter'])) {
    const c = f['compositeFilter'];
    return { compositeFilter: { ...c, filters: (c['filters'] as Json[]).map(filter) } };
  }
  if (isRecord(f['fieldFilter']))
    return { fieldFilter: { ...f['fieldFilter'], value: value(f['fieldFilter']['value']) } };
  return f;
}

function cursor(c: unknown): unknown {
  return isRecord(c) ? { ...c, values: ((c['values'] as unknown[]) ?? []).map(value) } : c;
}

export function query(q: Json): Json {
  const out: Json = { ...q };
  if (isRecord(q['where'])) out['where'] = filter(q['where']);
  if (q['startAt']) out['startAt'] = cursor(q['startAt']);
  if (q['endAt']) out['endAt'] = cursor(q['endAt']);
  if (typeof q['limit'] === 'number') out['limit'] = { value: q['limit'] };
  return out;
}

function transform(t: Json): Json {
  const out: Json = { ...t };
  for (const k of ['increment', 'maximum', 'minimum']) if (k in t) out[k] = value(t[k]);
  for (const k of ['appendMissingElements', 'removeAllFromArray']) {
    if (isRecord(t[k])) out[k] = { values: ((t[k]['values'] as unknown[]) ?? []).map(value) };
  }
  return out;
}

function write(w: Json): Json {
  const out: Json = { ...w };
  if (isRecord(w['update']))
    out['update'] = { ...w['update'], fields: encodeFields((w['update']['fields'] ?? {}) as never) };
  if (isRecord(w['currentDocument'])) {
    out['currentDocument'] = {
      ...w['currentDocument'],
      updateTime: time(w['currentDocument']['updateTime']),
    };
  }
  if (Array.isArray(w['updateTransforms']))
    out['updateTransforms'] = (w['updateTransforms'] as Json[]).map(transform);
  return out;
}

function consistency(body: Json): Json {
  const out: Json = {};
  if (body['readTime'] !== undefined) out['readTime'] = time(body['readTime']);
  if (body['transaction'] !== undefined) out['transaction'] = body['transaction'];
  if (isRecord(body['newTransaction'])) {
    const n = body['newTransaction'];
    const ro = n['readOnly'];
    out['newTransaction'] = isRecord(ro) ? { readOnly: { ...ro, readTime: time(ro['readTime']) } } : n;
  }
  return out;
}

function toProto(method: string, resource: string, body: Json): Json {
  switch (method) {
    case 'BatchGetDocuments':
      return { database: resource, documents: body['documents'], mask: body['mask'], ...consistency(body) };
    case 'RunQuery':
      return {
        parent: resource,
        structuredQuery: query(body['structuredQuery'] as Json),
        ...consistency(body),
      };
    case 'RunAggregationQuery': {
      const saq = body['structuredAggregationQuery'] as Json;
      const aggregations = (saq['aggregations'] as Json[]).map((a) =>
        isRecord(a['count']) && a['count']['upTo'] !== undefined
          ? { ...a, count: { upTo: { value: a['count']['upTo'] } } }
          : a,
      );
      return {
        parent: resource,
        structuredAggregationQuery: { structuredQuery: query(saq['structuredQuery'] as Json), aggregations },
        ...consistency(body),
      };
    }
    case 'GetDocument':
      return { name: body['name'], mask: body['mask'] };
    case 'ListDocuments':
      return { ...body, readTime: time(body['readTime']) };
    case 'Commit':
      return {
        database: resource,
        writes: ((body['writes'] as Json[]) ?? []).map(write),
        transaction: body['transaction'],
      };
    default:
      return { database: resource, ...body };
  }
}

// ---- proto shape → REST shape ----

const restTime = (t: unknown) => (isRecord(t) ? protoCodec.timestamp(t) : undefined);

export function restDoc(d: Json): Json {
  return {
    name: d['name'],
    fields: protoCodec.fields(d['fields']),
    createTime: restTime(d['createTime']),
    updateTime: restTime(d['updateTime']),
  };
}

function toRest(method: string, m: Json): Json {
  switch (method) {
    case 'GetDocument':
      return restDoc(m);
    case 'ListDocuments':
      return { documents: ((m['documents'] as Json[]) ?? []).map(restDoc) };
    case 'BatchGetDocuments':
      return isRecord(m['found']) ? { found: restDoc(m['found']) } : { missing: m['missing'] };
    case 'RunQuery':
      return isRecord(m['document']) ? { document: restDoc(m['document']) } : {};
    case 'RunAggregationQuery': {
      const r = m['result'];
      return isRecord(r) ? { result: { aggregateFields: protoCodec.fields(r['aggregateFields']) } } : {};
    }
    case 'Commit':
      return {
        commitTime: restTime(m['commitTime']),
        writeResults: ((m['writeResults'] as Json[]) ?? []).map((w) => ({
          ...(w['updateTime'] ? { updateTime: restTime(w['updateTime']) } : {}),
          transformResults: ((w['transformResults'] as unknown[]) ?? []).map((v) => protoCodec.value(v)),
        })),
      };
    default:
      return m;
  }
}

const VERB: Record<string, string> = {
  get: 'GetDocument',
  listDocuments: 'ListDocuments',
  batchGet: 'BatchGetDocuments',
  runQuery: 'RunQuery',
  runAggregationQuery: 'RunAggregationQuery',
  commit: 'Commit',
  beginTransaction: 'BeginTransaction',
  rollback: 'Rollback',
};

function asRestError(e: ServiceError): { status: number; json: unknown } {
  const err = new FirestoreError(e.code as CodeNumber, e.details);
  return {
    status: err.httpStatus,
    json: { error: { code: err.httpStatus, status: err.status, message: e.details } },
  };
}

/**
 * Sends what compare.ts would POST to `{resource}:{verb}` over gRPC instead; answers the REST
 * status and JSON it would have got. `resource` is the database or the documents root (or, for a
 * query in a subcollection, its parent document). `auth` is the Authorization value (none: null).
 */
export async function grpcCall(
  base: string,
  resource: string,
  verb: string,
  body: Json,
  auth: string | null = 'Bearer owner',
): Promise<{ status: number; json: unknown }> {
  const name = VERB[verb];
  if (!name) throw new Error(`no gRPC method for ${verb}`);
  const m = load().get(name)!;
  const database = resource.replace(/\/documents(\/.*)?$/, '');
  const request = toProto(
    name,
    name === 'RunQuery' || name === 'RunAggregationQuery' ? resource : database,
    body,
  );
  const serialize = (o: Json) => Buffer.from(m.request.encode(m.request.fromObject(o)).finish());
  const deserialize = (b: Buffer) => m.response.toObject(m.response.decode(b), LOADER_OPTIONS);
  const md = new Metadata();
  if (auth !== null) md.set('authorization', auth);
  const path = `/google.firestore.v1.Firestore/${name}`;
  const client = clientFor(base);
  const convert = (x: Json): Json => {
    const out = toRest(name, x);
    if (typeof x['transaction'] === 'string' && x['transaction'] !== '')
      out['transaction'] = x['transaction'];
    if (name !== 'Commit' && name !== 'BeginTransaction' && isRecord(x['readTime'])) {
      out['readTime'] = formatTimestamp(
        Number(x['readTime']['seconds'] ?? 0),
        Number(x['readTime']['nanos'] ?? 0),
      );
    }
    return out;
  };
  if (m.stream) {
    return new Promise((resolve) => {
      const rows: Json[] = [];
      const call = client.makeServerStreamRequest(path, serialize, deserialize, request, md);
      call.on('data', (x: Json) => rows.push(convert(x)));
      call.on('error', (e: ServiceError) => resolve(asRestError(e)));
      call.on('end', () => resolve({ status: 200, json: rows }));
    });
  }
  return new Promise((resolve) => {
    client.makeUnaryRequest(path, serialize, deserialize, request, md, (e: ServiceError | null, x?: Json) =>
      resolve(e ? asRestError(e) : { status: 200, json: convert(x ?? {}) }),
    );
  });
}

/** An open Listen stream: messages as they arrive (documents in REST shape), and its end. */
export interface ListenStream {
  messages: Json[];
  /** Resolves at the next message (or after `ms`). */
  next(ms: number): Promise<void>;
  close(): void;
}

/** Opens google.firestore.v1.Firestore/Listen as the owner and sends `request` (a ListenRequest). */
export function grpcListen(base: string, request: Json): ListenStream {
  const m = load().get('Listen')!;
  const serialize = (o: Json) => Buffer.from(m.request.encode(m.request.fromObject(o)).finish());
  const deserialize = (b: Buffer) => m.response.toObject(m.response.decode(b), LOADER_OPTIONS);
  const md = new Metadata();
  md.set('authorization', 'Bearer owner');
  // As the SDKs send it: Google's emulator needs the database in the metadata of a stream.
  md.set('google-cloud-resource-prefix', String(request['database']));
  md.set('x-goog-request-params', `database=${encodeURIComponent(String(request['database']))}`);
  const call = clientFor(base).makeBidiStreamRequest(
    '/google.firestore.v1.Firestore/Listen',
    serialize,
    deserialize,
    md,
  );
  const messages: Json[] = [];
  let wake: () => void = () => {};
  call.on('data', (x: Json) => {
    const dc = x['documentChange'];
    if (isRecord(dc) && isRecord(dc['document'])) {
      messages.push({ ...x, documentChange: { ...dc, document: restDoc(dc['document']) } });
    } else messages.push(x);
    wake();
  });
  call.on('error', (e: ServiceError) => {
    messages.push({ streamError: { code: e.code, message: e.details } });
    wake();
  });
  call.write(request);
  return {
    messages,
    next: (ms) =>
      new Promise<void>((resolve) => {
        const t = setTimeout(resolve, ms);
        wake = () => {
          clearTimeout(t);
          resolve();
        };
      }),
    close: () => call.cancel(),
  };
}
