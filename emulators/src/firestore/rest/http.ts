/**
 * HTTP plumbing for the REST surface: bounded body reading, JSON replies in Google's error format
 * (`{error:{code,message,status}}`, which the lite SDK reads as `error.message`), and CORS so a
 * browser page served by Vite can call us (the SDK's custom headers force a preflight).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Code, FirestoreError } from '../errors.js';

export const MAX_BODY = 11 * 1024 * 1024;

export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (c: Buffer) => {
      if (failed) return;
      size += c.length;
      if (size > MAX_BODY) {
        failed = true;
        reject(
          new FirestoreError(
            Code.INVALID_ARGUMENT,
            `Request payload size exceeds the limit: ${MAX_BODY} bytes.`,
          ),
        );
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (!failed) resolve(Buffer.concat(chunks));
    });
    req.on('error', (e) => {
      if (!failed) reject(e);
    });
  });
}

export function parseJsonBody(buf: Buffer): unknown {
  if (buf.length === 0) return {};
  try {
    return JSON.parse(buf.toString('utf8'));
  } catch {
    throw new FirestoreError(Code.INVALID_ARGUMENT, "Payload isn't valid for request.");
  }
}

/**
 * Only requests the access policy admitted get here (../index.ts), so an Origin here is a loopback
 * or configured one and may be reflected; foreign origins were refused before, preflights included.
 */
export function corsHeaders(req: IncomingMessage): Record<string, string> {
  const origin = req.headers.origin;
  const h: Record<string, string> = {
    'access-control-allow-origin': origin ?? '*',
    'access-control-allow-methods': 'GET, POST, PUT, PATCH, DELETE, OPTIONS',
    'access-control-allow-headers':
      req.headers['access-control-request-headers'] ??
      'authorization, content-type, x-goog-api-client, google-cloud-resource-prefix, x-goog-request-params, x-firebase-gmpid',
    'access-control-max-age': '3600',
  };
  if (origin) {
    h['vary'] = 'Origin';
    // The full SDK sends credentials (XhrIo withCredentials, WebChannel supportsCrossDomainXhr);
    // without this the browser drops the answer. Safe: only admitted origins get here.
    h['access-control-allow-credentials'] = 'true';
    h['access-control-expose-headers'] = 'x-http-session-id, x-client-wire-protocol, x-http-initial-response';
  }
  // Chrome's Private Network Access preflight: an allowed origin on a LAN or public address
  // calling us on loopback.
  if (req.headers['access-control-request-private-network'] === 'true') {
    h['access-control-allow-private-network'] = 'true';
  }
  return h;
}

export function sendJson(req: IncomingMessage, res: ServerResponse, status: number, json: string): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(json),
    ...corsHeaders(req),
  });
  res.end(json);
}

export function sendError(req: IncomingMessage, res: ServerResponse, err: FirestoreError): void {
  sendJson(
    req,
    res,
    err.httpStatus,
    JSON.stringify({ error: { code: err.httpStatus, message: err.message, status: err.status } }),
  );
}
