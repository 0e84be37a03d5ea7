/**
 * REST routes: the Firestore v1 API as firebase/firestore/lite (and gax's REST fallback) calls it
 * (wire-protocols §A.1, firestore.proto google.api.http annotations), plus the emulator-only
 * endpoints used by @firebase/rules-unit-testing and firebase-tools (§A.4, §A.5).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { callerFromHeader } from '../auth.js';
import { isRecord } from '../codec.js';
import { type FirestoreEmulatorCore, RulesRejected } from '../emulator.js';
import { Code, FirestoreError, invalid, toFirestoreError } from '../errors.js';
import { jsonCodec } from '../json-codec.js';
import * as ops from '../ops.js';
import { documentName, parseDocumentName, parseResource } from '../paths.js';
import { formatTimestamp } from '../timestamps.js';
import { CHANNEL_PATH, channelServerOf } from '../webchannel/channel.js';
import { applyWritesFromRest } from './documents.js';
import { corsHeaders, parseJsonBody, readBody, sendError, sendJson } from './http.js';
import { readProtoJson } from './proto-json.js';

/** The request message of each `documents:{verb}` and `{document}:{verb}` method (body: "*"). */
const REQUESTS: Record<string, string> = {
  commit: 'CommitRequest',
  batchGet: 'BatchGetDocumentsRequest',
  runQuery: 'RunQueryRequest',
  runAggregationQuery: 'RunAggregationQueryRequest',
  beginTransaction: 'BeginTransactionRequest',
  rollback: 'RollbackRequest',
  batchWrite: 'BatchWriteRequest',
  listCollectionIds: 'ListCollectionIdsRequest',
  partitionQuery: 'PartitionQueryRequest',
};

/** The `documents:{verb}` and `{document}:{verb}` methods of the REST API (the fuzz test draws from it). */
export const VERBS = new Set(Object.keys(REQUESTS));

function decodeSegments(raw: string): string {
  try {
    return raw
      .split('/')
      .map((s) => decodeURIComponent(s))
      .join('/');
  } catch {
    throw invalid('Malformed percent-encoding in URL.');
  }
}

export function createRestHandler(core: FirestoreEmulatorCore) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    handle(core, req, res).catch((e: unknown) => sendError(req, res, toFirestoreError(e)));
  };
}

async function handle(core: FirestoreEmulatorCore, req: IncomingMessage, res: ServerResponse): Promise<void> {
  core.activity++;
  const method = req.method ?? 'GET';
  const url = new URL(req.url ?? '/', 'http://localhost');
  const rawPath = url.pathname;
  if (method === 'OPTIONS') {
    res.writeHead(204, corsHeaders(req));
    res.end();
    return;
  }
  if (rawPath === '/' && (method === 'GET' || method === 'HEAD')) {
    res.writeHead(200, { 'content-type': 'text/plain', ...corsHeaders(req) });
    res.end('Ok\n');
    return;
  }
  await core.ready;
  const channel = CHANNEL_PATH.exec(rawPath);
  if (channel) {
    channelServerOf(core).handle(req, res, channel[1] as 'Listen' | 'Write', url);
    return;
  }
  if (rawPath.startsWith('/emulator/v1/'))
    return emulatorRoute(core, req, res, method, decodeSegments(rawPath.slice(13)));
  if (!rawPath.startsWith('/v1/'))
    throw new FirestoreError(Code.NOT_FOUND, `No route for ${method} ${rawPath.slice(0, 200)}`);
  const rest = rawPath.slice(4);
  const caller = callerFromHeader(req.headers.authorization);
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > lastSlash && VERBS.has(rest.slice(colon + 1))) {
    if (method !== 'POST') throw new FirestoreError(Code.NOT_FOUND, `Use POST for ${rest.slice(colon)}`);
    const resource = decodeSegments(rest.slice(0, colon));
    const verb = rest.slice(colon + 1);
    const body = readProtoJson(REQUESTS[verb]!, parseJsonBody(await readBody(req)));
    const database = resource.replace(/\/documents(\/.*)?$/, '');
    let out: unknown;
    switch (verb) {
      case 'commit':
        out = ops.commit(core, caller, jsonCodec, database, body);
        break;
      case 'batchGet':
        out = await ops.batchGet(core, caller, database, body);
        break;
      case 'runQuery':
        out = await ops.runQuery(core, caller, jsonCodec, resource, body);
        break;
      case 'runAggregationQuery':
        out = await ops.runAggregationQuery(core, caller, jsonCodec, resource, body);
        break;
      case 'beginTransaction':
        out = ops.beginTransaction(core, database, body);
        break;
      case 'rollback':
        out = ops.rollback(core, database, body);
        break;
      case 'batchWrite':
        out = ops.batchWrite(core, caller, jsonCodec, database, body);
        break;
      case 'partitionQuery':
        out = await ops.partitionQuery(core, caller, jsonCodec, resource, body);
        break;
      default:
        out = ops.listCollectionIds(core, caller, resource, body);
    }
    sendJson(req, res, 200, JSON.stringify(out));
    return;
  }
  const resource = decodeSegments(rest);
  // An empty segment or a trailing "/": Google's emulator's words for a document name.
  if (/\/\/|\/$/.test(resource)) parseDocumentName(resource);
  const parsed = parseResource(resource);
  if (method === 'GET' && parsed.segments.length % 2 === 1) {
    const collectionId = parsed.segments[parsed.segments.length - 1]!;
    const parent = resource.slice(0, resource.length - collectionId.length - 1);
    const q: Record<string, unknown> = Object.fromEntries(url.searchParams);
    const maskPaths = url.searchParams.getAll('mask.fieldPaths');
    if (maskPaths.length) q['mask'] = { fieldPaths: maskPaths };
    q['readTime'] = readTimeParam(url.searchParams);
    const out = ops.listDocuments(core, caller, jsonCodec, parent, collectionId, q);
    sendJson(req, res, 200, JSON.stringify(out));
    return;
  }
  const doc = parseDocumentName(resource);
  const name = documentName(doc.db, doc.segments);
  const database = name.replace(/\/documents\/.*$/, '');
  if (method === 'GET') {
    const r = await ops.batchGet(core, caller, database, {
      documents: [name],
      readTime: readTimeParam(url.searchParams),
      transaction: url.searchParams.get('transaction') ?? undefined,
    });
    const first = r[0];
    if (!first || !('found' in first))
      throw new FirestoreError(Code.NOT_FOUND, `Document "${name}" not found.`);
    sendJson(req, res, 200, JSON.stringify(first.found));
    return;
  }
  if (method === 'DELETE' || method === 'PATCH') {
    const body =
      method === 'PATCH' ? readProtoJson('Document', parseJsonBody(await readBody(req))) : undefined;
    const out = await applyWritesFromRest(core, caller, database, name, method, body, url.searchParams);
    sendJson(req, res, 200, JSON.stringify(out));
    return;
  }
  throw new FirestoreError(Code.NOT_FOUND, `No route for ${method} ${rawPath.slice(0, 200)}`);
}

/**
 * A GET's `readTime` query parameter: RFC 3339, as production's REST reference gives it, or the
 * `readTime.seconds` / `readTime.nanos` pair Google's emulator reads instead.
 */
function readTimeParam(params: URLSearchParams): string | undefined {
  const text = params.get('readTime');
  if (text !== null) return text;
  const seconds = params.get('readTime.seconds');
  if (seconds === null) return undefined;
  const nanos = Number(params.get('readTime.nanos') ?? 0);
  if (!/^\d+$/.test(seconds) || !Number.isInteger(nanos)) throw invalid('Invalid readTime.');
  return formatTimestamp(Number(seconds), nanos);
}

async function emulatorRoute(
  core: FirestoreEmulatorCore,
  req: IncomingMessage,
  res: ServerResponse,
  method: string,
  path: string,
): Promise<void> {
  const rules = /^projects\/([^/:]+):securityRules$/.exec(path);
  if (rules && method === 'PUT') {
    const body = parseJsonBody(await readBody(req));
    const files = isRecord(body) && isRecord(body['rules']) ? body['rules']['files'] : undefined;
    const first = Array.isArray(files) && isRecord(files[0]) ? files[0] : undefined;
    const content = first?.['content'];
    if (typeof content !== 'string') throw invalid('Expected {"rules":{"files":[{"content":"..."}]}}.');
    const ignoreErrors = isRecord(body) && body['ignore_errors'] === true;
    try {
      core.setProjectRules(rules[1]!, content);
      sendJson(req, res, 200, JSON.stringify({}));
    } catch (e) {
      if (!(e instanceof RulesRejected)) throw e;
      const fileName = typeof first?.['name'] === 'string' ? first['name'] : 'firestore.rules';
      const issues = e.issues.map((i) => ({
        sourcePosition: { fileName, line: i.line, column: i.column },
        description: i.message,
        severity: 'ERROR',
      }));
      // firebase-tools' file watcher sends ignore_errors and expects 200 with the issues.
      const status = ignoreErrors ? 200 : 400;
      const message = e.issues.map((i) => `L${i.line}:${i.column}: ${i.message}`).join('\n') || e.message;
      sendJson(
        req,
        res,
        status,
        JSON.stringify({ error: { code: status, message, status: 'INVALID_ARGUMENT' }, issues }),
      );
    }
    return;
  }
  const clear = /^projects\/([^/]+)\/databases\/([^/]+)\/documents$/.exec(path);
  if (clear && method === 'DELETE') {
    core.clear({ project: clear[1]!, database: clear[2]! });
    sendJson(req, res, 200, '{}');
    return;
  }
  throw new FirestoreError(
    Code.NOT_FOUND,
    `No emulator route for ${method} /emulator/v1/${path.slice(0, 200)}`,
  );
}
