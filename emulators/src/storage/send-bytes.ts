/**
 * Object downloads for both APIs, streamed from the blob file. Headers follow GCS / firebase-tools
 * (`storage/apis/shared.js` `sendFileBytes`): `x-goog-hash` lets @google-cloud/storage verify the
 * bytes, and `x-goog-stored-content-encoding: identity` is what makes it actually do so
 * (GCS `file.js` createReadStream validation). Stored gzip is served as is (no transcoding).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
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
  if (m.contentEncoding) headers['Content-Encoding'] = m.contentEncoding;
  if (m.cacheControl) headers['Cache-Control'] = m.cacheControl;
  if (m.contentLanguage) headers['Content-Language'] = m.contentLanguage;
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
