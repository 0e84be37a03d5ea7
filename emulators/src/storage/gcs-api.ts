/**
 * The subset of the GCS JSON API that @google-cloud/storage (firebase-admin) uses against
 * `STORAGE_EMULATOR_HOST` (wire-protocols §B.2; https://cloud.google.com/storage/docs/json_api).
 * That client sends no Authorization header to an emulator, so, as firebase-tools does with its
 * `adminStorageLayer`, every request here is privileged and skips the rules.
 * Paths may carry the `/storage/v1` or `/download/storage/v1` prefix or none (the client's base
 * URL is the bare emulator host).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ADMIN } from './auth.js';
import { badRequest, gcsNotFound, HttpError } from './errors.js';
import { type ApiContext, finalizeSession, MAX_METADATA_BODY_BYTES } from './firebase-api.js';
import { header, readBody, readJson, sendEmpty, sendJson } from './http.js';
import {
  etagFor,
  type MetadataPatch,
  type ObjectMetadata,
  parseMetadataPatch,
  toGcsJson,
} from './metadata.js';
import { streamFormDataUpload, streamMultipartUpload } from './multipart.js';
import { isValidBucketName } from './names.js';
import { parsePreconditions } from './preconditions.js';
import { MAX_CHUNK_BYTES, MAX_OBJECT_BYTES, type UploadSession } from './resumable.js';
import { sendObjectBytes } from './send-bytes.js';

/** GCS JSON API routes this emulator does not serve (compose, ACLs, bucket writes…): answered with 501, never guessed. */
function unsupported(): HttpError {
  return new HttpError(501, 'This Cloud Storage API call is not supported by the offline Storage emulator.');
}

export async function handleGcsApi(
  ctx: ApiContext,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  rawPath: string,
): Promise<void> {
  const method = req.method ?? 'GET';
  if (rawPath.startsWith('/upload/storage/v1/b/')) {
    const segs = rawPath.slice('/upload/storage/v1'.length).split('/');
    if (segs.length !== 4 || segs[3] !== 'o') throw new HttpError(404, 'Not Found.');
    const bucket = bucketOf(segs[2]!);
    if (method === 'POST') return startUpload(ctx, req, res, url, bucket);
    if (method === 'PUT') return resumableData(ctx, req, res, url);
    throw new HttpError(405, 'Method not allowed.');
  }
  const path = rawPath.replace(/^\/(download\/)?storage\/v1(?=\/)/, '');
  const segs = path.split('/');
  if (segs[1] !== 'b') {
    // `POST /{bucket}`: the XML API's POST Object, used by signed POST policy forms.
    if (method === 'POST' && (segs.length === 2 || (segs.length === 3 && segs[2] === ''))) {
      return postObject(ctx, req, res, bucketOf(segs[1] ?? ''));
    }
    // `GET /{bucket}/{object}`: the public-URL form.
    if (method === 'GET' && segs.length >= 3 && segs[1] && isValidBucketName(segs[1])) {
      const bucket = segs[1];
      const name = decode(segs.slice(2).join('/'));
      const obj = await ctx.service.read(bucket, name, ADMIN).catch(notFoundAs(bucket, name, true));
      sendObjectBytes(ctx.service.store, obj, req, res);
      return;
    }
    throw unsupported();
  }
  if (segs.length === 2 && method === 'GET') {
    const items = [...ctx.service.store.buckets].map((b) => bucketJson(b));
    sendJson(res, 200, { kind: 'storage#buckets', items });
    return;
  }
  const bucket = bucketOf(segs[2] ?? '');
  if (segs.length === 3) {
    if (method === 'GET') {
      sendJson(res, 200, bucketJson(bucket));
      return;
    }
    throw unsupported();
  }
  if (segs[3] !== 'o') throw unsupported();
  if (segs.length === 4) {
    if (method === 'GET') return list(ctx, req, res, url, bucket);
    throw new HttpError(405, 'Method not allowed.');
  }
  const name = decode(segs[4]!);
  const rest = segs.slice(5);
  if (rest.length === 0) return objectRoute(ctx, req, res, url, method, bucket, name);
  if (
    method === 'POST' &&
    (rest[0] === 'rewriteTo' || rest[0] === 'copyTo') &&
    rest[1] === 'b' &&
    rest[3] === 'o'
  ) {
    return copy(ctx, req, res, url, bucket, name, bucketOf(rest[2] ?? ''), decode(rest[4] ?? ''), rest[0]);
  }
  if (method === 'POST' && rest[0] === 'moveTo' && rest[1] === 'o' && rest[2]) {
    return move(ctx, req, res, url, bucket, name, decode(rest[2]));
  }
  if (rest[0] === 'acl') {
    // ACLs do not exist in the emulator; accept and echo, as firebase-tools does.
    const obj = await ctx.service.read(bucket, name, ADMIN).catch(notFoundAs(bucket, name, false));
    const body = (await readJson(req, MAX_METADATA_BODY_BYTES)) as Record<string, unknown> | undefined;
    const entity = typeof body?.['entity'] === 'string' ? body['entity'] : (rest[1] ?? '');
    // An ObjectAccessControls resource (https://cloud.google.com/storage/docs/json_api/v1/objectAccessControls):
    // what file.makePublic() / acl.add() resolve with.
    sendJson(res, 200, {
      kind: 'storage#objectAccessControl',
      id: `${bucket}/${name}/${obj.meta.generation}/${entity}`,
      selfLink: `${ctx.origin(req)}/storage/v1/b/${encodeURIComponent(bucket)}/o/${encodeURIComponent(name)}/acl/${encodeURIComponent(entity)}`,
      bucket,
      object: name,
      generation: String(obj.meta.generation),
      entity,
      role: body?.['role'] ?? 'READER',
      etag: etagFor(obj.meta.generation, obj.meta.metageneration),
    });
    return;
  }
  throw unsupported();
}

function decode(seg: string): string {
  try {
    return decodeURIComponent(seg);
  } catch {
    throw badRequest('Malformed percent-encoding in path.');
  }
}

function bucketOf(seg: string): string {
  const bucket = decode(seg);
  if (!isValidBucketName(bucket)) throw badRequest(`Invalid bucket name: ${bucket}`);
  return bucket;
}

function bucketJson(bucket: string): Record<string, unknown> {
  return {
    kind: 'storage#bucket',
    id: bucket,
    name: bucket,
    projectNumber: '000000000000',
    metageneration: '1',
    location: 'US',
    storageClass: 'STANDARD',
    etag: 'CAE=',
    locationType: 'multi-region',
  };
}

function notFoundAs(bucket: string, name: string, media: boolean) {
  return (err: unknown): never => {
    if (err instanceof HttpError && err.status === 404) {
      if (media) throw new HttpError(404, `No such object: ${bucket}/${name}`);
      throw gcsNotFound(bucket, name);
    }
    throw err;
  };
}

async function objectRoute(
  ctx: ApiContext,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  method: string,
  bucket: string,
  name: string,
): Promise<void> {
  const origin = ctx.origin(req);
  switch (method) {
    case 'GET':
    case 'HEAD': {
      const media = url.searchParams.get('alt') === 'media';
      const obj = await ctx.service
        .read(bucket, name, ADMIN, undefined, parsePreconditions(url.searchParams))
        .catch(notFoundAs(bucket, name, media));
      if (media) sendObjectBytes(ctx.service.store, obj, req, res);
      else sendJson(res, 200, toGcsJson(obj.meta, origin));
      return;
    }
    case 'PATCH':
    case 'PUT': {
      const conditions = parsePreconditions(url.searchParams);
      const patch = parseMetadataPatch(await readJson(req, MAX_METADATA_BODY_BYTES));
      const meta = await ctx.service
        .updateMetadata(bucket, name, patch, ADMIN, conditions)
        .catch(notFoundAs(bucket, name, false));
      sendJson(res, 200, toGcsJson(meta, origin));
      return;
    }
    case 'DELETE':
      await ctx.service
        .delete(bucket, name, ADMIN, parsePreconditions(url.searchParams))
        .catch(notFoundAs(bucket, name, false));
      sendEmpty(res, 204);
      return;
    default:
      throw new HttpError(405, 'Method not allowed.');
  }
}

async function list(
  ctx: ApiContext,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  bucket: string,
): Promise<void> {
  const maxParam = url.searchParams.get('maxResults');
  const maxResults = maxParam === null || maxParam === '' ? 1000 : Number(maxParam);
  if (!Number.isInteger(maxResults) || maxResults < 1)
    throw badRequest('maxResults must be a positive integer.');
  const result = await ctx.service.list(
    bucket,
    {
      prefix: url.searchParams.get('prefix') ?? '',
      delimiter: url.searchParams.get('delimiter') ?? '',
      maxResults: Math.min(maxResults, 1000),
      pageToken: url.searchParams.get('pageToken') || undefined,
    },
    ADMIN,
  );
  const origin = ctx.origin(req);
  const body: Record<string, unknown> = {
    kind: 'storage#objects',
    items: result.items.map((o) => toGcsJson(o.meta, origin)),
  };
  if (result.prefixes.length > 0) body['prefixes'] = result.prefixes;
  if (result.nextPageToken) body['nextPageToken'] = result.nextPageToken;
  sendJson(res, 200, body);
}

async function copy(
  ctx: ApiContext,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  srcBucket: string,
  srcName: string,
  dstBucket: string,
  dstName: string,
  kind: string,
): Promise<void> {
  const conditions = copyConditions(url);
  const patch = parseMetadataPatch(await readJson(req, MAX_METADATA_BODY_BYTES));
  const meta = await ctx.service.copy(
    { bucket: srcBucket, name: srcName },
    { bucket: dstBucket, name: dstName },
    patch,
    conditions,
  );
  if (!meta) throw gcsNotFound(srcBucket, srcName);
  const resource = toGcsJson(meta, ctx.origin(req));
  if (kind === 'copyTo') {
    sendJson(res, 200, resource);
    return;
  }
  sendJson(res, 200, {
    kind: 'storage#rewriteResponse',
    totalBytesRewritten: String(meta.size),
    objectSize: String(meta.size),
    done: true,
    resource,
  });
}

/** Destination (`ifGenerationMatch`…) and source (`ifSourceGenerationMatch`…) preconditions. */
function copyConditions(url: URL) {
  return {
    source: parsePreconditions(url.searchParams, true),
    destination: parsePreconditions(url.searchParams),
  };
}

async function move(
  ctx: ApiContext,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  bucket: string,
  srcName: string,
  dstName: string,
): Promise<void> {
  const conditions = copyConditions(url);
  await readBody(req, MAX_METADATA_BODY_BYTES);
  const meta = await ctx.service.copy({ bucket, name: srcName }, { bucket, name: dstName }, {}, conditions);
  if (!meta) throw gcsNotFound(bucket, srcName);
  await ctx.service.delete(bucket, srcName, ADMIN).catch(() => undefined);
  sendJson(res, 200, toGcsJson(meta, ctx.origin(req)));
}

/** Form fields of a POST Object that set object metadata, as the headers of the same name would. */
const FORM_METADATA_FIELDS: Record<string, keyof MetadataPatch> = {
  'content-type': 'contentType',
  'cache-control': 'cacheControl',
  'content-disposition': 'contentDisposition',
  'content-encoding': 'contentEncoding',
  'content-language': 'contentLanguage',
};

/**
 * XML API POST Object (https://cloud.google.com/storage/docs/xml-api/post-object-forms), what a
 * browser form built from `file.generateSignedPostPolicyV4()` submits to `{endpoint}/{bucket}`.
 * The policy and its signature are not verified (the emulator has no service-account keys): the
 * form is trusted like every GCS request. `key` names the object (`${filename}` is replaced by the
 * file's name), `Content-Type`/`Cache-Control`/… and `x-goog-meta-*` fields set its metadata;
 * `success_action_status` 200, 201 (with the XML PostResponse) or 204 (default) and
 * `success_action_redirect` shape the answer.
 */
async function postObject(
  ctx: ApiContext,
  req: IncomingMessage,
  res: ServerResponse,
  bucket: string,
): Promise<void> {
  const writer = ctx.service.store.newWriter();
  let form;
  try {
    form = await streamFormDataUpload(header(req, 'content-type') ?? '', req, writer, MAX_OBJECT_BYTES);
  } catch (err) {
    await writer.discard();
    throw err;
  }
  const { fields } = form;
  const name = (fields.get('key') ?? '').replaceAll('${filename}', form.fileName ?? '');
  const patch: MetadataPatch = {};
  const custom: Record<string, string> = {};
  for (const [field, value] of fields) {
    if (field.startsWith('x-goog-meta-')) custom[field.slice('x-goog-meta-'.length)] = value;
    const key = FORM_METADATA_FIELDS[field];
    if (key && key !== 'metadata') patch[key] = value.trim();
  }
  if (Object.keys(custom).length > 0) patch.metadata = custom;
  let meta: ObjectMetadata;
  try {
    if (!name) throw badRequest("Missing 'key' or file.");
    ctx.service.validateName(name);
    const checked = parseMetadataPatch(patch);
    meta = await ctx.service.finalizeUpload({
      bucket,
      name,
      patch: checked,
      writer,
      caller: ADMIN,
      dataContentType: form.fileContentType,
      addDownloadToken: false,
    });
  } catch (err) {
    await writer.discard();
    throw err;
  }
  const etag = `"${meta.md5Hash ? Buffer.from(meta.md5Hash, 'base64').toString('hex') : ''}"`;
  const redirect = fields.get('success_action_redirect');
  if (redirect && /^https?:\/\//i.test(redirect)) {
    const target = new URL(redirect);
    target.searchParams.set('bucket', bucket);
    target.searchParams.set('key', name);
    target.searchParams.set('etag', etag);
    sendEmpty(res, 303, { Location: target.toString(), ETag: etag });
    return;
  }
  const status = fields.get('success_action_status');
  if (status === '201') {
    const location = `${ctx.origin(req)}/${bucket}/${encodeURIComponent(name)}`;
    const xml = `<?xml version="1.0" encoding="UTF-8"?><PostResponse><Location>${escapeXml(location)}</Location><Bucket>${escapeXml(bucket)}</Bucket><Key>${escapeXml(name)}</Key><ETag>${escapeXml(etag)}</ETag></PostResponse>`;
    res.writeHead(201, {
      'Content-Type': 'application/xml; charset=UTF-8',
      'Content-Length': Buffer.byteLength(xml),
      ETag: etag,
      Location: location,
    });
    res.end(xml);
    return;
  }
  sendEmpty(res, status === '200' ? 200 : 204, { ETag: etag });
}

function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** `X-Goog-Hash: crc32c=…,md5=…` (https://cloud.google.com/storage/docs/xml-api/reference-headers#xgooghash). */
function expectedHashes(req: IncomingMessage): {
  md5Hash?: string;
  crc32c?: string;
} {
  const out: { md5Hash?: string; crc32c?: string } = {};
  for (const part of (header(req, 'x-goog-hash') ?? '').split(',')) {
    const eq = part.indexOf('=');
    if (eq === -1) continue;
    const k = part.slice(0, eq).trim().toLowerCase();
    const v = part.slice(eq + 1).trim();
    if (k === 'md5') out.md5Hash = v;
    if (k === 'crc32c') out.crc32c = v;
  }
  return out;
}

function nameFrom(url: URL, metadata: unknown): string | undefined {
  const fromMeta =
    metadata && typeof metadata === 'object' ? (metadata as Record<string, unknown>)['name'] : undefined;
  const name = url.searchParams.get('name') || (typeof fromMeta === 'string' ? fromMeta : undefined);
  return name?.startsWith('/') ? name.slice(1) : name;
}

function metaHashes(metadata: unknown): { md5Hash?: string; crc32c?: string } {
  if (!metadata || typeof metadata !== 'object') return {};
  const m = metadata as Record<string, unknown>;
  const out: { md5Hash?: string; crc32c?: string } = {};
  if (typeof m['md5Hash'] === 'string') out.md5Hash = m['md5Hash'];
  if (typeof m['crc32c'] === 'string') out.crc32c = m['crc32c'];
  return out;
}

async function startUpload(
  ctx: ApiContext,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
  bucket: string,
): Promise<void> {
  const uploadType = url.searchParams.get('uploadType') ?? header(req, 'x-goog-upload-protocol') ?? 'media';
  const preconditions = parsePreconditions(url.searchParams);
  if (uploadType === 'resumable') {
    const metadata = await readJson(req, MAX_METADATA_BODY_BYTES);
    const name = nameFrom(url, metadata);
    if (!name) throw badRequest('Missing object name.');
    ctx.service.validateName(name);
    const patch = parseMetadataPatch(metadata);
    const declared = header(req, 'x-upload-content-length');
    const declaredSize = declared ? Number(declared) : undefined;
    if (declaredSize !== undefined && (!Number.isSafeInteger(declaredSize) || declaredSize < 0)) {
      throw badRequest('X-Upload-Content-Length must be a non-negative integer.');
    }
    if (declaredSize !== undefined && declaredSize > MAX_OBJECT_BYTES) {
      throw new HttpError(413, `Objects are limited to ${MAX_OBJECT_BYTES} bytes.`);
    }
    const dataContentType = header(req, 'x-upload-content-type');
    // Every GCS caller is the admin today, which the rules never refuse; kept for the day one is not.
    await ctx.service.checkUploadStart({
      bucket,
      name,
      patch,
      caller: ADMIN,
      declaredSize,
      dataContentType,
      addDownloadToken: false,
      preconditions,
    });
    const session = ctx.sessions.create({
      bucket,
      name,
      patch,
      caller: ADMIN,
      declaredSize,
      dataContentType,
      preconditions,
      writer: ctx.service.store.newWriter(),
    });
    const location = `${ctx.origin(req)}/upload/storage/v1/b/${encodeURIComponent(bucket)}/o?uploadType=resumable&name=${encodeURIComponent(name)}&upload_id=${session.id}`;
    sendEmpty(res, 200, {
      Location: location,
      'X-GUploader-UploadID': session.id,
    });
    return;
  }
  const writer = ctx.service.store.newWriter();
  let name: string | undefined;
  let patch = {};
  let dataContentType: string | undefined;
  let expected: { md5Hash?: string; crc32c?: string } = expectedHashes(req);
  try {
    if (uploadType === 'multipart') {
      const contentType = header(req, 'content-type');
      if (!contentType) throw badRequest('Missing Content-Type.');
      // Fail fast on a bad name in the query before reading the body.
      const queryName = nameFrom(url, undefined);
      if (queryName) ctx.service.validateName(queryName);
      const parsed = await streamMultipartUpload(contentType, req, writer, MAX_OBJECT_BYTES);
      name = nameFrom(url, parsed.metadata);
      patch = parseMetadataPatch(parsed.metadata);
      dataContentType = parsed.dataContentType ?? header(req, 'x-upload-content-type');
      expected = { ...expected, ...metaHashes(parsed.metadata) };
      if (!name) throw badRequest('Missing object name.');
      ctx.service.validateName(name);
    } else if (uploadType === 'media') {
      name = nameFrom(url, undefined);
      if (!name) throw badRequest('Missing object name.');
      ctx.service.validateName(name);
      dataContentType = header(req, 'content-type');
      await writer.append(req, MAX_OBJECT_BYTES);
    } else {
      throw badRequest(`Unsupported uploadType: ${uploadType}`);
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
    caller: ADMIN,
    dataContentType,
    addDownloadToken: false,
    expected,
    preconditions,
  });
  sendJson(res, 200, toGcsJson(meta, ctx.origin(req)));
}

/**
 * `PUT <session URL>` with `Content-Range` (https://cloud.google.com/storage/docs/performing-resumable-uploads):
 * a range of `*` (status) asks how much arrived; `a-b` or `a-*` carries data. Incomplete uploads
 * answer 308 with `Range: bytes=0-{last}`. @google-cloud/storage streams a whole object in one
 * request with an open range (`a-*`, total `*`), whose end is the end of the object.
 */
async function resumableData(
  ctx: ApiContext,
  req: IncomingMessage,
  res: ServerResponse,
  url: URL,
): Promise<void> {
  const id = url.searchParams.get('upload_id');
  if (!id) throw badRequest('Missing upload_id.');
  const session = ctx.sessions.get(id);
  if (!session) throw new HttpError(404, 'No such upload.');
  if (session.state === 'final' && session.result) {
    await readBody(req, MAX_CHUNK_BYTES).catch(() => undefined);
    sendJson(res, 200, toGcsJson(session.result, ctx.origin(req)));
    return;
  }
  if (session.state === 'failed' && session.failure) throw session.failure;
  if (session.state !== 'active') throw new HttpError(410, 'Upload is no longer active.');
  const range = parseContentRange(header(req, 'content-range'));
  if (range.kind === 'status') {
    await readBody(req, 0);
    if (range.total !== undefined && range.total === session.writer.size) {
      return finishGcs(ctx, req, res, session);
    }
    return incomplete(res, session);
  }
  if (range.start !== session.writer.size) {
    throw new HttpError(
      400,
      `Content-Range starts at ${range.start} but ${session.writer.size} bytes were received so far.`,
    );
  }
  const total = range.total ?? session.declaredSize;
  const remaining = (total ?? MAX_OBJECT_BYTES) - session.writer.size;
  const chunkLimit = range.end !== undefined ? range.end - range.start + 1 : remaining;
  if (range.end !== undefined && chunkLimit > remaining) {
    throw badRequest(`Content-Range ends past the declared size of ${total} bytes.`);
  }
  const before = session.writer.size;
  await ctx.sessions.append(session, req, Math.min(chunkLimit, remaining));
  if (range.end !== undefined && session.writer.size - before !== chunkLimit) {
    // The body did not match its Content-Range; keep the bytes GCS-style and report progress.
    return incomplete(res, session);
  }
  const done = total !== undefined ? session.writer.size === total : range.end === undefined;
  if (!done) return incomplete(res, session);
  return finishGcs(ctx, req, res, session);
}

async function finishGcs(ctx: ApiContext, req: IncomingMessage, res: ServerResponse, session: UploadSession) {
  const meta = await finalizeSession(ctx, session, false, expectedHashes(req));
  sendJson(res, 200, toGcsJson(meta, ctx.origin(req)));
}

function incomplete(res: ServerResponse, session: UploadSession): void {
  const headers: Record<string, string> = {};
  if (session.writer.size > 0) headers['Range'] = `bytes=0-${session.writer.size - 1}`;
  sendEmpty(res, 308, headers);
}

type ContentRange =
  | { kind: 'status'; total: number | undefined }
  | {
      kind: 'data';
      start: number;
      end: number | undefined;
      total: number | undefined;
    };

function parseContentRange(value: string | undefined): ContentRange {
  // No header: the whole object in one request.
  if (!value) return { kind: 'data', start: 0, end: undefined, total: undefined };
  const m = /^bytes (?:(\*)|(\d+)-(\d+|\*))\/(\d+|\*)$/.exec(value.trim());
  if (!m) throw badRequest(`Malformed Content-Range: ${value}`);
  const total = m[4] === '*' ? undefined : Number(m[4]);
  if (m[1] === '*') return { kind: 'status', total };
  const start = Number(m[2]);
  const end = m[3] === '*' ? undefined : Number(m[3]);
  if (end !== undefined && end < start) throw badRequest(`Malformed Content-Range: ${value}`);
  return { kind: 'data', start, end, total };
}
