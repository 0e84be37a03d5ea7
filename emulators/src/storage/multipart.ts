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
 * A multipart body read from a stream, one delimiter (`\r\n--boundary`) at a time. Parts before the
 * streamed one (metadata, form fields) are buffered up to MAX_HEAD_BYTES; the streamed part's bytes
 * are handed on as they arrive, keeping back only what could be the start of the next delimiter.
 */
class DelimitedBody {
  /** A leading CRLF lets the first boundary be found with the same `\r\n--b` delimiter. */
  buf: Buffer = Buffer.from('\r\n');
  pos = 0;
  private read = 0;
  private streaming = false;
  private readonly iterator: AsyncIterator<Uint8Array>;

  constructor(
    source: AsyncIterable<Uint8Array>,
    readonly delimiter: Buffer,
    /** How errors name the body: "Multipart body", "Multipart form". */
    private readonly label: string,
    /** The 413 message when the parts before the streamed one are too large. */
    private readonly headTooLarge: string,
  ) {
    this.iterator = source[Symbol.asyncIterator]();
  }

  truncated(what: string): HttpError {
    return badRequest(`${this.label} is truncated (${what}).`);
  }

  /** Appends the next chunk; false at the end of the body. */
  async more(): Promise<boolean> {
    const next = await this.iterator.next();
    if (next.done) return false;
    this.read += next.value.length;
    if (!this.streaming && this.read > MAX_HEAD_BYTES + this.delimiter.length) {
      throw new HttpError(413, this.headTooLarge);
    }
    this.buf = this.buf.length === 0 ? Buffer.from(next.value) : Buffer.concat([this.buf, next.value]);
    return true;
  }

  /** Reads until `find` answers an index; 400 if the body ends first. */
  async need(find: () => number, what: string): Promise<number> {
    for (;;) {
      const idx = find();
      if (idx !== -1) return idx;
      if (!(await this.more())) throw this.truncated(what);
    }
  }

  /** Skips the preamble and the first boundary. */
  async start(): Promise<void> {
    this.pos =
      (await this.need(() => this.buf.indexOf(this.delimiter), 'no boundary')) + this.delimiter.length;
  }

  /** At `pos` right after a delimiter: true if it is the closing one (`--`). */
  async atClose(): Promise<boolean> {
    await this.need(() => (this.buf.length >= this.pos + 2 ? this.pos : -1), 'boundary line');
    return this.buf[this.pos] === 0x2d && this.buf[this.pos + 1] === 0x2d;
  }

  /** The headers of the part after the delimiter at `pos`; leaves `pos` at its body. */
  async partHeaders(charset: BufferEncoding): Promise<Record<string, string>> {
    const lineEnd = await this.need(() => this.buf.indexOf('\r\n', this.pos), 'boundary line');
    // With no part headers, the blank line starts right at the boundary line's CRLF.
    const headerEnd = await this.need(() => this.buf.indexOf('\r\n\r\n', lineEnd), 'part headers');
    const headers = parseHeaders(this.buf.subarray(lineEnd + 2, headerEnd).toString(charset));
    this.pos = headerEnd + 4;
    return headers;
  }

  /** A buffered part's body (up to the next delimiter), leaving `pos` after that delimiter. */
  async bufferedPart(what: string): Promise<Buffer> {
    const end = await this.need(() => this.buf.indexOf(this.delimiter, this.pos), what);
    const body = this.buf.subarray(this.pos, end);
    this.pos = end + this.delimiter.length;
    return body;
  }

  /**
   * The part's body at `pos` as it arrives, up to and including the next delimiter; 400 if the body
   * ends first. Afterwards `buf` holds what follows that delimiter.
   */
  async *streamedPart(): AsyncGenerator<Uint8Array> {
    this.streaming = true;
    this.buf = this.buf.subarray(this.pos);
    this.pos = 0;
    for (;;) {
      const idx = this.buf.indexOf(this.delimiter);
      if (idx !== -1) {
        if (idx > 0) yield this.buf.subarray(0, idx);
        this.buf = this.buf.subarray(idx + this.delimiter.length);
        return;
      }
      const safe = this.buf.length - (this.delimiter.length - 1);
      if (safe > 0) {
        yield this.buf.subarray(0, safe);
        this.buf = this.buf.subarray(safe);
      }
      if (!(await this.more())) throw this.truncated('no closing boundary');
    }
  }

  /** Streams the part into `writer`; 400 unless its closing delimiter arrived. */
  async streamInto(writer: BlobWriter, maxBytes: number): Promise<void> {
    let closed = false;
    const part = this.streamedPart();
    async function* tracked(): AsyncGenerator<Uint8Array> {
      yield* part;
      closed = true;
    }
    await writer.append(tracked(), maxBytes);
    if (!closed) throw this.truncated('no closing boundary');
  }

  /** Reads and ignores the rest of the body. */
  async drain(): Promise<void> {
    while (await this.more()) this.buf = Buffer.alloc(0);
  }
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
  const body = new DelimitedBody(
    source,
    Buffer.from(`\r\n--${boundaryOf(contentType)}`),
    'Multipart body',
    `Multipart metadata exceeds ${MAX_HEAD_BYTES} bytes.`,
  );
  const twoParts = badRequest('Multipart upload needs a metadata and a data part.');
  await body.start();
  if (await body.atClose()) throw twoParts;
  await body.partHeaders('latin1');
  const metaText = (await body.bufferedPart('metadata part')).toString('utf8');
  let metadata: unknown = {};
  if (metaText.trim() !== '') {
    try {
      metadata = JSON.parse(metaText);
    } catch {
      throw badRequest('Multipart metadata part is not valid JSON.');
    }
  }
  if (await body.atClose()) throw twoParts;
  const dataHeaders = await body.partHeaders('latin1');
  await body.streamInto(writer, maxBytes);
  // Only the closing `--` (and an ignored epilogue) may follow; a third part is an error.
  while (body.buf.length < 2 && (await body.more()));
  if (!(body.buf[0] === 0x2d && body.buf[1] === 0x2d)) {
    throw badRequest('Multipart upload must have exactly 2 parts (metadata, data).');
  }
  await body.drain();
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
  const body = new DelimitedBody(
    source,
    Buffer.from(`\r\n--${boundaryOf(contentType, 'form-data')}`),
    'Multipart form',
    `Form fields exceed ${MAX_HEAD_BYTES} bytes.`,
  );
  const fields = new Map<string, string>();
  await body.start();
  for (;;) {
    if (await body.atClose()) throw badRequest("Missing 'key' or file.");
    const headers = await body.partHeaders('utf8');
    const { name, filename } = dispositionOf(headers['content-disposition']);
    if (filename !== undefined || name === 'file') {
      if (!fields.has('key')) throw badRequest("Missing 'key' or file.");
      await body.streamInto(writer, maxBytes);
      // Whatever follows the file (more fields, the epilogue) is read and ignored.
      await body.drain();
      return { fields, fileContentType: headers['content-type'], fileName: filename };
    }
    const value = await body.bufferedPart('form field');
    if (name !== undefined) fields.set(name.toLowerCase(), value.toString('utf8'));
  }
}
