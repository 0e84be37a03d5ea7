/**
 * `multipart/related` upload bodies (RFC 2387, delimiters per RFC 2046 §5.1.1): a JSON metadata
 * part followed by the data part. Used by the Firebase SDK for small uploads
 * (`X-Goog-Upload-Protocol: multipart`) and by @google-cloud/storage for `uploadType=multipart`
 * (https://cloud.google.com/storage/docs/uploading-objects). The data part is streamed into the
 * BlobWriter as it arrives, so a large `save({resumable:false})` is never held in memory.
 */
import type { BlobWriter } from './blob-writer.js';
import { badRequest, HttpError } from './errors.js';

/** Everything before the data part (boundary lines, part headers, metadata JSON). */
const MAX_HEAD_BYTES = 256 * 1024;

export interface MultipartHead {
  metadata: unknown;
  dataContentType: string | undefined;
}

/** The boundary of a `multipart/{subtype}` Content-Type; Google's "Bad content type." otherwise. */
export function boundaryOf(contentType: string, subtype: 'related' | 'form-data' = 'related'): string {
  const m = /;\s*boundary=(?:"([^"]+)"|([^;\s]+))/i.exec(contentType);
  const boundary = m?.[1] ?? m?.[2];
  if (!new RegExp(`^multipart/${subtype}\\s*(;|$)`, 'i').test(contentType.trim()) || !boundary) {
    throw badRequest(`Bad content type. Expected multipart/${subtype} with a boundary, got: ${contentType}`);
  }
  return boundary;
}

function parseHeaders(text: string): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const line of text.split('\r\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return headers;
}

/**
 * Parse the metadata part and stream the data part into `writer` (at most `maxBytes`). Throws 400
 * for malformed or truncated bodies; the writer is then left unchanged (BlobWriter.append is
 * all-or-nothing).
 */
export async function streamMultipartUpload(
  contentType: string,
  source: AsyncIterable<Uint8Array>,
  writer: BlobWriter,
  maxBytes: number,
): Promise<MultipartHead> {
  const delimiter = Buffer.from(`\r\n--${boundaryOf(contentType)}`);
  const iterator = source[Symbol.asyncIterator]();
  // A leading CRLF lets the first boundary be found with the same `\r\n--b` delimiter.
  let buf: Buffer = Buffer.from('\r\n');
  let ended = false;
  let dataStarted = false;
  const more = async (): Promise<boolean> => {
    if (ended) return false;
    const next = await iterator.next();
    if (next.done) {
      ended = true;
      return false;
    }
    buf = Buffer.concat([buf, next.value]);
    if (buf.length > MAX_HEAD_BYTES + delimiter.length && !dataStarted) {
      throw new HttpError(413, `Multipart metadata exceeds ${MAX_HEAD_BYTES} bytes.`);
    }
    return true;
  };
  const need = async (find: () => number, what: string): Promise<number> => {
    for (;;) {
      const idx = find();
      if (idx !== -1) return idx;
      if (!(await more())) throw badRequest(`Multipart body is truncated (${what}).`);
    }
  };

  // Preamble, then the metadata part's headers and body.
  let pos = (await need(() => buf.indexOf(delimiter), 'no boundary')) + delimiter.length;
  const readPartHeaders = async (): Promise<Record<string, string>> => {
    await need(() => (buf.length >= pos + 2 ? pos : -1), 'boundary line');
    if (buf[pos] === 0x2d && buf[pos + 1] === 0x2d)
      throw badRequest('Multipart upload needs a metadata and a data part.');
    const lineEnd = await need(() => buf.indexOf('\r\n', pos), 'boundary line');
    // With no part headers, the blank line starts right at the boundary line's CRLF.
    const headerEnd = await need(() => buf.indexOf('\r\n\r\n', lineEnd), 'part headers');
    const headers = parseHeaders(buf.subarray(lineEnd + 2, headerEnd).toString('latin1'));
    pos = headerEnd + 4;
    return headers;
  };
  await readPartHeaders();
  const metaEnd = await need(() => buf.indexOf(delimiter, pos), 'metadata part');
  const metaText = buf.subarray(pos, metaEnd).toString('utf8');
  let metadata: unknown = {};
  if (metaText.trim() !== '') {
    try {
      metadata = JSON.parse(metaText);
    } catch {
      throw badRequest('Multipart metadata part is not valid JSON.');
    }
  }
  pos = metaEnd + delimiter.length;
  const dataHeaders = await readPartHeaders();
  dataStarted = true;
  buf = buf.subarray(pos);

  // Data part: emit everything that cannot be the start of the closing delimiter.
  let closed = false;
  async function* data(): AsyncGenerator<Uint8Array> {
    for (;;) {
      const idx = buf.indexOf(delimiter);
      if (idx !== -1) {
        if (idx > 0) yield buf.subarray(0, idx);
        buf = buf.subarray(idx + delimiter.length);
        closed = true;
        return;
      }
      const safe = buf.length - (delimiter.length - 1);
      if (safe > 0) {
        yield buf.subarray(0, safe);
        buf = buf.subarray(safe);
      }
      const next = await iterator.next();
      if (next.done) {
        ended = true;
        throw badRequest('Multipart body is truncated (no closing boundary).');
      }
      buf = buf.length === 0 ? Buffer.from(next.value) : Buffer.concat([buf, next.value]);
    }
  }
  await writer.append(data(), maxBytes);
  if (!closed) throw badRequest('Multipart body is truncated (no closing boundary).');
  // Only the closing `--` (and an ignored epilogue) may follow; a third part is an error.
  while (buf.length < 2 && (await more()));
  if (!(buf[0] === 0x2d && buf[1] === 0x2d)) {
    throw badRequest('Multipart upload must have exactly 2 parts (metadata, data).');
  }
  while (await more()) buf = Buffer.alloc(0);
  return { metadata, dataContentType: dataHeaders['content-type'] };
}

export interface FormDataUpload {
  /** Form fields before the file, by lower-cased name (`key`, `content-type`, `x-goog-meta-…`). */
  fields: Map<string, string>;
  /** The Content-Type of the file part, if it had one. */
  fileContentType: string | undefined;
  /** The file part's `filename`, if it had one. */
  fileName: string | undefined;
}

/** `name` and `filename` of a form-data part's Content-Disposition (RFC 7578 §4.2). */
function dispositionOf(value: string | undefined): { name?: string; filename?: string } {
  const out: { name?: string; filename?: string } = {};
  for (const m of (value ?? '').matchAll(/;\s*(name|filename)="((?:[^"\\]|\\.)*)"/gi)) {
    out[m[1]!.toLowerCase() as 'name' | 'filename'] = m[2]!.replace(/\\(.)/g, '$1');
  }
  return out;
}

/**
 * `multipart/form-data` bodies of the XML API's POST Object (signed POST policy uploads,
 * https://cloud.google.com/storage/docs/xml-api/post-object-forms): fields, then the `file` field,
 * whose bytes are streamed into `writer` (at most `maxBytes`). Fields after the file are ignored,
 * as the service does. Throws 400 for malformed or truncated bodies and a missing file.
 */
export async function streamFormDataUpload(
  contentType: string,
  source: AsyncIterable<Uint8Array>,
  writer: BlobWriter,
  maxBytes: number,
): Promise<FormDataUpload> {
  const delimiter = Buffer.from(`\r\n--${boundaryOf(contentType, 'form-data')}`);
  const iterator = source[Symbol.asyncIterator]();
  let buf: Buffer = Buffer.from('\r\n');
  let head = 0;
  let fileStarted = false;
  const more = async (): Promise<boolean> => {
    const next = await iterator.next();
    if (next.done) return false;
    head += next.value.length;
    if (head > MAX_HEAD_BYTES + delimiter.length && !fileStarted) {
      throw new HttpError(413, `Form fields exceed ${MAX_HEAD_BYTES} bytes.`);
    }
    buf = Buffer.concat([buf, next.value]);
    return true;
  };
  const need = async (find: () => number, what: string): Promise<number> => {
    for (;;) {
      const idx = find();
      if (idx !== -1) return idx;
      if (!(await more())) throw badRequest(`Multipart form is truncated (${what}).`);
    }
  };
  const fields = new Map<string, string>();
  let pos = (await need(() => buf.indexOf(delimiter), 'no boundary')) + delimiter.length;
  for (;;) {
    await need(() => (buf.length >= pos + 2 ? pos : -1), 'boundary line');
    if (buf[pos] === 0x2d && buf[pos + 1] === 0x2d) throw badRequest("Missing 'key' or file.");
    const lineEnd = await need(() => buf.indexOf('\r\n', pos), 'boundary line');
    const headerEnd = await need(() => buf.indexOf('\r\n\r\n', lineEnd), 'part headers');
    const headers = parseHeaders(buf.subarray(lineEnd + 2, headerEnd).toString('utf8'));
    pos = headerEnd + 4;
    const { name, filename } = dispositionOf(headers['content-disposition']);
    if (filename !== undefined || name === 'file') {
      if (!fields.has('key')) throw badRequest("Missing 'key' or file.");
      fileStarted = true;
      buf = buf.subarray(pos);
      let closed = false;
      const data = async function* (): AsyncGenerator<Uint8Array> {
        for (;;) {
          const idx = buf.indexOf(delimiter);
          if (idx !== -1) {
            if (idx > 0) yield buf.subarray(0, idx);
            buf = buf.subarray(idx + delimiter.length);
            closed = true;
            return;
          }
          const safe = buf.length - (delimiter.length - 1);
          if (safe > 0) {
            yield buf.subarray(0, safe);
            buf = buf.subarray(safe);
          }
          const next = await iterator.next();
          if (next.done) throw badRequest('Multipart form is truncated (no closing boundary).');
          buf = buf.length === 0 ? Buffer.from(next.value) : Buffer.concat([buf, next.value]);
        }
      };
      await writer.append(data(), maxBytes);
      if (!closed) throw badRequest('Multipart form is truncated (no closing boundary).');
      // Whatever follows the file (more fields, the epilogue) is read and ignored.
      for (let next = await iterator.next(); !next.done; next = await iterator.next());
      return { fields, fileContentType: headers['content-type'], fileName: filename };
    }
    const end = await need(() => buf.indexOf(delimiter, pos), 'form field');
    if (name !== undefined) fields.set(name.toLowerCase(), buf.subarray(pos, end).toString('utf8'));
    pos = end + delimiter.length;
  }
}
