/**
 * The Firebase Storage REST API (`/v0/b/{bucket}/o[/{object}]`) spoken by `firebase/storage`
 * (wire-protocols §B.1; @firebase/storage `requests.ts`). Object names are one
 * `encodeURIComponent` segment. Every request is checked against the rules unless the caller is
 * the `owner` admin. Status codes and denial texts follow firebase-tools `storage/apis/firebase.js`.
 */

import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ADMIN, type Caller, callerFromAuthorization, isGcsClient } from './auth.js';
import { badRequest, HttpError } from './errors.js';
import { header, readJson, sendEmpty, sendJson } from './http.js';
import { type ObjectMetadata, parseMetadataPatch, toFirebaseJson } from './metadata.js';
import { streamMultipartUpload } from './multipart.js';
import { isFirebasePath, isValidBucketName } from './names.js';
import { MAX_CHUNK_BYTES, MAX_OBJECT_BYTES, type UploadSession, type UploadSessions } from './resumable.js';
import { sendObjectBytes } from './send-bytes.js';
import type { StorageService } from './service.js';

export const MAX_METADATA_BODY_BYTES = 64 * 1024;

export interface ApiContext {
  service: StorageService;
  sessions: UploadSessions;
  /** Origin the client used to reach us (from the Host header), for upload URLs and links. */
  origin(req: IncomingMessage): string;
}

export async function handleFirebaseApi(
  ctx: ApiContext,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  rawPath: string,
): Promise<void> {
  if (rawPath === '' || rawPath === '/') {
    sendJson(res, 200, { emulator: 'storage' });
    return;
  }
  const segs = rawPath.split('/');
  // ['', 'b', bucket, 'o', object?]
  if (segs.length < 4 || segs.length > 5 || segs[0] !== '' || segs[1] !== 'b' || segs[3] !== 'o') {
    throw new HttpError(404, 'Not Found.');
  }
  const bucket = decode(segs[2]!);
  if (!isValidBucketName(bucket)) throw badRequest(`Invalid bucket name: ${bucket}`);
  const authorization = header(req, 'authorization');
  const caller =
    !authorization && isGcsClient(header(req, 'x-goog-api-client'))
      ? ADMIN
      : callerFromAuthorization(authorization);
  // Download-token reads never consult the rules, so they work before any ruleset is loaded.
  const tokenRead = req.method === 'GET' && url.searchParams.has('token');
  if (!caller.admin && !ctx.service.rules.loadedFor(bucket) && !tokenRead) {
    throw new HttpError(403, 'Permission denied. Storage Emulator has no loaded ruleset.');
  }
  const objectSeg = segs[4];
  const method = effectiveMethod(req);
  if (objectSeg === undefined || objectSeg === '') {
    if (method === 'GET') return list(ctx, res, url, bucket, caller);
    if (method === 'POST' || method === 'PUT')
      return upload(ctx, req, res, url, bucket, url.searchParams.get('name'), caller);
    throw new HttpError(405, 'Method not allowed.');
  }
  const name = decode(objectSeg);
  switch (method) {
    case 'GET': {
      const token = url.searchParams.get('token') ?? undefined;
      const obj = await ctx.service.read(bucket, name, caller, token);
      if (url.searchParams.get('alt') === 'media') {
        sendObjectBytes(ctx.service.store, obj, req, res);
        return;
      }
      const withToken = ctx.service.ensureDownloadToken(obj);
      sendJson(res, 200, toFirebaseJson(withToken.meta), objectHeaders(withToken.meta));
      return;
    }
    case 'PATCH': {
      const patch = parseMetadataPatch(await readJson(req, MAX_METADATA_BODY_BYTES));
      const meta = await ctx.service.updateMetadata(bucket, name, patch, caller);
      sendJson(res, 200, toFirebaseJson(meta), objectHeaders(meta));
      return;
    }
    case 'DELETE':
      await ctx.service.delete(bucket, name, caller);
      sendEmpty(res, 204);
      return;
    case 'POST':
    case 'PUT':
      if (url.searchParams.has('create_token') || url.searchParams.has('delete_token')) {
        return tokens(ctx, res, url, bucket, name, caller);
      }
      return upload(ctx, req, res, url, bucket, name, caller);
    default:
      throw new HttpError(405, 'Method not allowed.');
  }
}

function effectiveMethod(req: IncomingMessage): string {
  const override = header(req, 'x-http-method-override')?.toUpperCase();
  return override === 'PATCH' ? 'PATCH' : (req.method ?? 'GET');
}

function decode(seg: string): string {
  try {
    return decodeURIComponent(seg);
  } catch {
    throw badRequest('Malformed percent-encoding in path.');
  }
}

function objectHeaders(meta: ObjectMetadata): Record<string, string> {
  const h: Record<string, string> = {};
  if (meta.contentDisposition) h['Content-Disposition'] = meta.contentDisposition;
  if (meta.contentLanguage) h['Content-Language'] = meta.contentLanguage;
  if (meta.cacheControl) h['Cache-Control'] = meta.cacheControl;
  return h;
}

async function list(
  ctx: ApiContext,
  res: ServerResponse,
  url: URL,
  bucket: string,
  caller: Caller,
): Promise<void> {
  const prefix = url.searchParams.get('prefix') ?? '';
  if (prefix !== '' && !prefix.endsWith('/')) {
    throw badRequest('The prefix parameter is required to be empty or ends with a single / character.');
  }
  const maxParam = url.searchParams.get('maxResults');
  const maxResults = maxParam === null ? 1000 : Number(maxParam);
  if (!Number.isInteger(maxResults) || maxResults < 1 || maxResults > 1000) {
    throw badRequest('maxResults must be an integer between 1 and 1000.');
  }
  const pageToken = url.searchParams.get('pageToken') || undefined;
  const result = await ctx.service.list(
    bucket,
    {
      prefix,
      delimiter: url.searchParams.get('delimiter') ?? '',
      maxResults,
      pageToken,
    },
    caller,
  );
  // Folder placeholders (`folder/`) and names with empty segments are valid objects but not
  // Firebase paths: the SDK would turn them into references of another name, so they are skipped.
  const body: Record<string, unknown> = {
    prefixes: result.prefixes.filter((p) => isFirebasePath(p.replace(/\/$/, ''))),
    items: result.items
      .filter((o) => isFirebasePath(o.meta.name))
      .map((o) => ({ name: o.meta.name, bucket: o.meta.bucket })),
  };
  if (result.nextPageToken) body['nextPageToken'] = result.nextPageToken;
  sendJson(res, 200, body);
}

async function tokens(
  ctx: ApiContext,
  res: ServerResponse,
  url: URL,
  bucket: string,
  name: string,
  caller: Caller,
): Promise<void> {
  // Only the admin may mint or revoke tokens (FT `handleTokenRequest`).
  if (!caller.admin) throw new HttpError(403, 'Missing admin credentials.');
  const create = url.searchParams.get('create_token');
  if (create !== null && create !== 'true') throw badRequest('create_token must be "true".');
  const meta = ctx.service.changeTokens(bucket, name, (current) => {
    if (create !== null) return [...current, randomUUID()];
    const remaining = current.filter((t) => t !== url.searchParams.get('delete_token'));
    return remaining.length > 0 ? remaining : [randomUUID()];
  });
  sendJson(res, 200, toFirebaseJson(meta), objectHeaders(meta));
}

async function upload(
  ctx: ApiContext,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  bucket: string,
  name: string | null,
  caller: Caller,
): Promise<void> {
  const protocol = header(req, 'x-goog-upload-protocol');
  const command = header(req, 'x-goog-upload-command');
  if (protocol === 'resumable' || command) {
    if (!command) throw badRequest('Missing X-Goog-Upload-Command.');
    if (command.trim() === 'start') return startResumable(ctx, req, res, bucket, name, caller);
    return continueResumable(ctx, req, res, url, command);
  }
  if (!name) throw badRequest('Missing object name.');
  ctx.service.validateName(name);
  const writer = ctx.service.store.newWriter();
  let patch = {};
  let dataContentType: string | undefined;
  try {
    if (protocol === 'multipart') {
      const contentType = header(req, 'content-type');
      if (!contentType) throw badRequest('Missing Content-Type.');
      const parsed = await streamMultipartUpload(contentType, req, writer, MAX_OBJECT_BYTES);
      patch = parseMetadataPatch(parsed.metadata);
      dataContentType = parsed.dataContentType;
    } else {
      // Raw media upload (`uploadType=media` style): the body is the object.
      dataContentType = header(req, 'content-type');
      await writer.append(req, MAX_OBJECT_BYTES);
    }
  } catch (err) {
    await writer.discard();
    throw err;
  }
  const meta = await ctx.service.finalizeUpload({
    bucket,
    name,
    patch,
    writer,
    caller,
    dataContentType,
    addDownloadToken: true,
  });
  sendJson(res, 200, toFirebaseJson(meta));
}

async function startResumable(
  ctx: ApiContext,
  req: IncomingMessage,
  res: ServerResponse,
  bucket: string,
  name: string | null,
  caller: Caller,
): Promise<void> {
  if (!name) throw badRequest('Missing object name.');
  ctx.service.validateName(name);
  const patch = parseMetadataPatch(await readJson(req, MAX_METADATA_BODY_BYTES));
  const declaredHeader = header(req, 'x-goog-upload-header-content-length');
  let declaredSize: number | undefined;
  if (declaredHeader !== undefined && declaredHeader !== '') {
    declaredSize = Number(declaredHeader);
    if (!Number.isSafeInteger(declaredSize) || declaredSize < 0) {
      throw badRequest('X-Goog-Upload-Header-Content-Length must be a non-negative integer.');
    }
    if (declaredSize > MAX_OBJECT_BYTES)
      throw new HttpError(413, `Objects are limited to ${MAX_OBJECT_BYTES} bytes.`);
  }
  const dataContentType = header(req, 'x-goog-upload-header-content-type');
  // Before any byte is accepted: a caller the rules would refuse gets no session to fill.
  await ctx.service.checkUploadStart({
    bucket,
    name,
    patch,
    caller,
    declaredSize,
    dataContentType,
    addDownloadToken: true,
  });
  const session = ctx.sessions.create({
    bucket,
    name,
    patch,
    caller,
    declaredSize,
    dataContentType,
    writer: ctx.service.store.newWriter(),
  });
  const uploadUrl = `${ctx.origin(req)}/v0/b/${encodeURIComponent(bucket)}/o?name=${encodeURIComponent(name)}&upload_id=${session.id}&upload_protocol=resumable`;
  sendEmpty(res, 200, {
    'X-Goog-Upload-Status': 'active',
    'X-Goog-Upload-URL': uploadUrl,
    'X-Goog-Upload-Chunk-Granularity': String(256 * 1024),
    'X-GUploader-UploadID': session.id,
  });
}

function statusHeaders(session: UploadSession, status?: string): Record<string, string> {
  const s = status ?? (session.state === 'final' || session.state === 'failed' ? 'final' : session.state);
  return {
    'X-Goog-Upload-Status': s,
    'X-Goog-Upload-Size-Received': String(session.writer.size),
  };
}

async function continueResumable(
  ctx: ApiContext,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  command: string,
): Promise<void> {
  const id = url.searchParams.get('upload_id');
  if (!id) throw badRequest('Missing upload_id.');
  const session = ctx.sessions.get(id);
  if (!session) throw new HttpError(404, 'No such upload.');
  const commands = new Set(command.split(',').map((c) => c.trim().toLowerCase()));
  if (commands.has('query')) {
    sendEmpty(res, 200, statusHeaders(session));
    return;
  }
  if (commands.has('cancel')) {
    // Cancelling again is a no-op that succeeds (Google's upload protocol and emulator); a
    // finished or failed upload can no longer be cancelled.
    if (session.state === 'cancelled') {
      await drain(req);
      sendEmpty(res, 200, statusHeaders(session, 'cancelled'));
      return;
    }
    if (session.state !== 'active')
      throw new HttpError(400, 'Upload is not active.', undefined, statusHeaders(session));
    await ctx.sessions.cancel(session);
    sendEmpty(res, 200, statusHeaders(session, 'cancelled'));
    return;
  }
  if (!commands.has('upload') && !commands.has('finalize'))
    throw badRequest(`Unknown upload command: ${command}`);
  // A retried finalize after success gets the same answer again.
  if (session.state === 'final' && session.result && commands.has('finalize')) {
    sendJson(res, 200, toFirebaseJson(session.result), statusHeaders(session));
    return;
  }
  if (session.state === 'failed' && session.failure) {
    throw withHeaders(session.failure, statusHeaders(session));
  }
  if (session.state !== 'active')
    throw new HttpError(400, 'Upload is not active.', undefined, statusHeaders(session));
  if (commands.has('upload')) {
    const offsetHeader = header(req, 'x-goog-upload-offset');
    if (offsetHeader !== undefined && Number(offsetHeader) !== session.writer.size) {
      throw new HttpError(
        400,
        `Upload offset ${offsetHeader} does not match the ${session.writer.size} bytes received so far.`,
        undefined,
        statusHeaders(session),
      );
    }
    const remaining = (session.declaredSize ?? MAX_OBJECT_BYTES) - session.writer.size;
    try {
      await ctx.sessions.append(session, req, Math.min(MAX_CHUNK_BYTES, remaining));
    } catch (err) {
      if (err instanceof HttpError && err.status === 413 && remaining < MAX_CHUNK_BYTES) {
        throw new HttpError(
          400,
          `Upload chunk goes past the declared size of ${session.declaredSize} bytes.`,
          undefined,
          statusHeaders(session),
        );
      }
      if (err instanceof HttpError) throw withHeaders(err, statusHeaders(session));
      throw err;
    }
    if (!commands.has('finalize')) {
      sendEmpty(res, 200, statusHeaders(session));
      return;
    }
  } else {
    // `finalize` alone carries no data; a body that comes along anyway (clients that always send
    // one, e.g. `{}`) is discarded, as Google's service and emulator do, rather than refused.
    await drain(req);
  }
  if (session.declaredSize !== undefined && session.writer.size !== session.declaredSize) {
    throw new HttpError(
      400,
      `Upload is incomplete: received ${session.writer.size} of ${session.declaredSize} declared bytes.`,
      undefined,
      statusHeaders(session),
    );
  }
  const meta = await finalizeSession(ctx, session, true);
  sendJson(res, 200, toFirebaseJson(meta), statusHeaders(session));
}

/** Shared with the GCS protocol: run the finalize once and remember its outcome. */
export async function finalizeSession(
  ctx: ApiContext,
  session: UploadSession,
  addDownloadToken: boolean,
  expected?: { md5Hash?: string | undefined; crc32c?: string | undefined },
): Promise<ObjectMetadata> {
  session.state = 'finalizing';
  try {
    const meta = await ctx.service.finalizeUpload({
      bucket: session.bucket,
      name: session.name,
      patch: session.patch,
      writer: session.writer,
      caller: session.caller,
      dataContentType: session.dataContentType,
      addDownloadToken,
      expected: expected ?? {},
      preconditions: session.preconditions,
    });
    session.state = 'final';
    session.result = meta;
    return meta;
  } catch (err) {
    session.state = 'failed';
    session.failure = err instanceof HttpError ? err : new HttpError(500, 'Upload failed.');
    throw withHeaders(session.failure, { 'X-Goog-Upload-Status': 'final' });
  } finally {
    ctx.sessions.release(session);
  }
}

/** Read and discard a request body (at most one chunk's worth) without buffering it. */
async function drain(req: IncomingMessage): Promise<void> {
  let seen = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    seen += chunk.length;
    if (seen > MAX_CHUNK_BYTES) throw new HttpError(413, `Request body exceeds ${MAX_CHUNK_BYTES} bytes.`);
  }
}

function withHeaders(err: HttpError, headers: Record<string, string>): HttpError {
  return new HttpError(err.status, err.message, err.body, {
    ...err.headers,
    ...headers,
  });
}
