/**
 * Object downloads for both APIs, streamed from the blob file. Headers follow GCS / firebase-tools
 * (`storage/apis/shared.js` `sendFileBytes`): `x-goog-hash` lets @google-cloud/storage verify the
 * bytes, and `x-goog-stored-content-encoding: identity` is what makes it actually do so
 * (GCS `file.js` createReadStream validation).
 *
 * Decompressive transcoding (https://cloud.google.com/storage/docs/transcoding): an object stored
 * with `Content-Encoding: gzip` is served decompressed, without Content-Encoding or Content-Length
 * and ignoring Range, unless the request accepts gzip (`Accept-Encoding: gzip`) or the object's
 * Cache-Control has `no-transform`; then the stored bytes go out with `Content-Encoding: gzip`.
 * `x-goog-hash` and `x-goog-stored-*` always describe the stored bytes.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { crc32cToBase64 } from './crc32c.js';
import { HttpError } from './errors.js';
import { header, parseRange, rfc5987 } from './http.js';
import { etagFor } from './metadata.js';
import type { ObjectStore, StoredObject } from './object-store.js';

export function sendObjectBytes(
  store: ObjectStore,
  obj: StoredObject,
  req: IncomingMessage,
  res: ServerResponse,
): void {
  const m = obj.meta;
  const fileName = m.name.split('/').pop() ?? m.name;
  const headers: Record<string, string | number> = {
    'Content-Type': m.contentType,
    'Accept-Ranges': 'bytes',
    'Content-Disposition': `${m.contentDisposition || 'attachment'}; filename*=${rfc5987(fileName)}`,
    ETag: `"${etagFor(m.generation, m.metageneration)}"`,
    'Last-Modified': new Date(m.updated).toUTCString(),
    'x-goog-generation': String(m.generation),
    'x-goog-metageneration': String(m.metageneration),
    'x-goog-storage-class': m.storageClass,
    'x-goog-hash': `crc32c=${crc32cToBase64(m.crc32c)},md5=${m.md5Hash}`,
    'x-goog-stored-content-length': String(m.size),
    'x-goog-stored-content-encoding': m.contentEncoding ?? 'identity',
  };
  if (m.cacheControl) headers['Cache-Control'] = m.cacheControl;
  if (m.contentLanguage) headers['Content-Language'] = m.contentLanguage;
  if (m.contentEncoding && transcodes(m.contentEncoding, m.cacheControl, header(req, 'accept-encoding'))) {
    res.writeHead(200, headers);
    const stored = req.method === 'HEAD' || m.size === 0 ? null : store.read(obj);
    if (stored === undefined) throw new HttpError(503, 'The object changed while it was being read; retry.');
    if (stored === null) {
      res.end();
      return;
    }
    // Bytes that are not gzip after all end the response early; the client sees a short body.
    pipeline(stored, createGunzip(), res).catch(() => res.destroy());
    return;
  }
  if (m.contentEncoding) headers['Content-Encoding'] = m.contentEncoding;
  const range = parseRange(header(req, 'range'), m.size);
  if (range === 'unsatisfiable') {
    throw new HttpError(416, 'Requested range not satisfiable.', undefined, {
      'Content-Range': `bytes */${m.size}`,
    });
  }
  let status = 200;
  let start: number | undefined;
  let end: number | undefined;
  if (range) {
    status = 206;
    start = range.start;
    end = range.end;
    headers['Content-Range'] = `bytes ${start}-${end}/${m.size}`;
    headers['Content-Length'] = end - start + 1;
  } else {
    headers['Content-Length'] = m.size;
  }
  const stream = req.method === 'HEAD' || m.size === 0 ? null : store.read(obj, start, end);
  if (stream === undefined) {
    // Replaced or deleted after the rules check; 503 makes the SDKs retry and see the new state.
    throw new HttpError(503, 'The object changed while it was being read; retry.');
  }
  res.writeHead(status, headers);
  if (stream === null) {
    res.end();
    return;
  }
  // A client that disconnects mid-download just ends the pipeline; nothing to report.
  pipeline(stream, res).catch(() => undefined);
}

/** Whether a stored `gzip` object is served decompressed for this request (see above). */
function transcodes(encoding: string, cacheControl: string | undefined, accept: string | undefined): boolean {
  if (encoding.trim().toLowerCase() !== 'gzip') return false;
  if (cacheControl && /(^|,)\s*no-transform\s*(,|$)/i.test(cacheControl)) return false;
  return !acceptsGzip(accept);
}

/** `Accept-Encoding` names gzip (or `*`) without `q=0` (RFC 9110 §12.5.3). */
function acceptsGzip(accept: string | undefined): boolean {
  if (!accept) return false;
  for (const part of accept.split(',')) {
    const [coding, ...params] = part.split(';').map((p) => p.trim().toLowerCase());
    if (coding !== 'gzip' && coding !== 'x-gzip' && coding !== '*') continue;
    const q = params.find((p) => p.startsWith('q='));
    if (!q || Number(q.slice(2)) > 0) return true;
  }
  return false;
}
