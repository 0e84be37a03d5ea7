/** Small HTTP helpers shared by the Firebase and GCS front ends (Node `http`, no framework). */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError } from './errors.js';

export function sendJson(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...headers,
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
  });
  res.end(text);
}

export function sendEmpty(res: ServerResponse, status: number, headers: Record<string, string> = {}): void {
  res.writeHead(status, { ...headers, 'Content-Length': 0 });
  res.end();
}

export function sendError(res: ServerResponse, err: HttpError): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  // The request body may still be arriving (e.g. an oversize chunk); closing the connection
  // after the reply stops the client from streaming the rest into a socket nobody reads.
  if (err.status === 304) {
    // Not Modified has no body (RFC 9110 §15.4.5).
    res.writeHead(304, err.headers);
    res.end();
    return;
  }
  const requestUnfinished = !res.req.complete;
  sendJson(
    res,
    err.status,
    err.toBody(),
    requestUnfinished ? { ...err.headers, Connection: 'close' } : err.headers,
  );
}

/** Buffer a request body, refusing more than `limit` bytes with 413. */
export async function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = Number(req.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    throw new HttpError(413, `Request body exceeds ${limit} bytes.`);
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) throw new HttpError(413, `Request body exceeds ${limit} bytes.`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks, size);
}

/** Parse a JSON body; an empty body is `undefined`. */
export async function readJson(req: IncomingMessage, limit: number): Promise<unknown> {
  const body = await readBody(req, limit);
  if (body.length === 0) return undefined;
  try {
    return JSON.parse(body.toString('utf8'));
  } catch {
    throw new HttpError(400, 'Request body is not valid JSON.');
  }
}

export function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name.toLowerCase()];
  return Array.isArray(v) ? v.join(', ') : v;
}

/**
 * One `bytes=` range (RFC 9110 §14.1.2). Returns null when absent or unparseable (serve the whole
 * body, as the RFC allows), 'unsatisfiable' for a range beyond the end.
 */
export function parseRange(
  value: string | undefined,
  size: number,
): { start: number; end: number } | null | 'unsatisfiable' {
  if (!value) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(value.trim());
  if (!m) return null;
  const [, a, b] = m;
  if (a === '' && b === '') return null;
  if (a === '') {
    const suffix = Number(b);
    if (suffix === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(a);
  if (start >= size) return 'unsatisfiable';
  const end = b === '' ? size - 1 : Math.min(Number(b), size - 1);
  if (end < start) return null;
  return { start, end };
}

/** RFC 5987 `filename*` value for Content-Disposition. */
export function rfc5987(value: string): string {
  return `utf-8''${encodeURIComponent(value).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`)}`;
}
