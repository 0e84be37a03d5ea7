/**
 * HTTP front door: CORS, routing to the Firebase (`/v0`) and GCS front ends, and the emulator's
 * internal endpoints (firebase-tools `storage/server.js`):
 *   PUT  /internal/setRules  {"rules":{"files":[{"name","content"}]}}  (used by rules-unit-testing);
 *        several files each carry `resource` (a bucket) and become that bucket's ruleset
 *   POST /internal/reset     (DELETE accepted too) drop every object
 *   POST /internal/export    {"path": dir}
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HttpError } from './errors.js';
import type { ApiContext } from './firebase-api.js';
import { handleFirebaseApi } from './firebase-api.js';
import { handleGcsApi } from './gcs-api.js';
import { header, readJson, sendEmpty, sendError, sendJson } from './http.js';
import { RulesLoadError } from './rules-gate.js';

/** Headers the browser SDK must be able to read (FT `server.js` cors exposedHeaders). */
const EXPOSED_HEADERS = [
  'content-type',
  'content-length',
  'content-range',
  'x-firebase-storage-version',
  'x-goog-upload-size-received',
  'x-goog-upload-url',
  'x-goog-upload-command',
  'x-gupload-uploadid',
  'x-goog-upload-header-content-length',
  'x-goog-upload-header-content-type',
  'x-goog-upload-protocol',
  'x-goog-upload-status',
  'x-goog-upload-chunk-granularity',
  'x-goog-upload-control-url',
  'x-goog-hash',
  'x-goog-generation',
  'x-goog-metageneration',
].join(', ');

const MAX_RULES_BODY_BYTES = 4 * 1024 * 1024;

export interface ServerHooks {
  ctx: ApiContext;
  reset(): Promise<void>;
  exportTo(dir: string): Promise<void>;
  log(msg: string): void;
}

export function createRequestHandler(hooks: ServerHooks) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    handle(hooks, req, res).catch((err: unknown) => {
      if (err instanceof HttpError) {
        sendError(res, err);
        return;
      }
      const e = err as NodeJS.ErrnoException;
      // Client went away mid-request: nothing to answer.
      if (e?.code === 'ECONNRESET' || e?.message === 'aborted') {
        res.destroy();
        return;
      }
      hooks.log(`Internal error on ${req.method} ${req.url}: ${e?.stack ?? String(err)}`);
      sendError(res, new HttpError(500, 'Internal error in the Storage emulator.'));
    });
  };
}

/**
 * Only requests the access policy admitted get here (index.ts), so an Origin here is a loopback or
 * configured one and may be reflected; foreign origins were refused before, preflights included.
 */
function setCors(req: IncomingMessage, res: ServerResponse): void {
  const origin = header(req, 'origin');
  res.setHeader('Access-Control-Allow-Origin', origin ?? '*');
  if (origin) {
    res.setHeader('Vary', 'Origin');
    res.setHeader('Access-Control-Allow-Credentials', 'true');
  }
  res.setHeader('Access-Control-Expose-Headers', EXPOSED_HEADERS);
  // Chrome's Private Network Access preflight (FT `server.js`): needed by an allowed origin on a
  // LAN or public address calling us on loopback.
  if (header(req, 'access-control-request-private-network')) {
    res.setHeader('Access-Control-Allow-Private-Network', 'true');
  }
}

async function handle(hooks: ServerHooks, req: IncomingMessage, res: ServerResponse): Promise<void> {
  setCors(req, res);
  const url = new URL(req.url ?? '/', 'http://localhost');
  const rawPath = url.pathname;
  if (req.method === 'OPTIONS') {
    sendEmpty(res, 204, {
      'Access-Control-Allow-Methods': 'GET, HEAD, PUT, PATCH, POST, DELETE, OPTIONS',
      'Access-Control-Allow-Headers': header(req, 'access-control-request-headers') ?? '*',
      'Access-Control-Max-Age': '3600',
    });
    return;
  }
  if (rawPath === '/' && (req.method === 'GET' || req.method === 'HEAD')) {
    sendJson(res, 200, { emulator: 'storage', status: 'ready' });
    return;
  }
  if (rawPath.startsWith('/internal/')) return internal(hooks, req, res, rawPath);
  if (rawPath === '/v0' || rawPath.startsWith('/v0/')) {
    return handleFirebaseApi(hooks.ctx, req, res, url, rawPath.slice(3));
  }
  return handleGcsApi(hooks.ctx, req, res, url, rawPath);
}

/** A setRules `resource` names a bucket: `my-bucket` or `gs://my-bucket` (also `…/` forms). */
function bucketOfResource(resource: string): string {
  return resource.replace(/^gs:\/\//, '').replace(/\/+$/, '');
}

async function internal(
  hooks: ServerHooks,
  req: IncomingMessage,
  res: ServerResponse,
  path: string,
): Promise<void> {
  const method = req.method ?? 'GET';
  if (path === '/internal/setRules' && method === 'PUT') {
    const body = (await readJson(req, MAX_RULES_BODY_BYTES)) as { rules?: { files?: unknown } } | undefined;
    const files = body?.rules?.files;
    if (!Array.isArray(files) || files.length === 0) {
      sendJson(res, 400, { message: "Request body must include 'rules.files' array" });
      return;
    }
    const parsed = files as Array<{ name?: unknown; content?: unknown; resource?: unknown }>;
    const isFile = (f: (typeof parsed)[number]) =>
      !!f && typeof f === 'object' && typeof f.name === 'string' && typeof f.content === 'string';
    // Messages as in firebase-tools' storage emulator (`server.ts`): one file is the ruleset of
    // every bucket, several files each name their bucket in `resource`.
    if (parsed.length === 1 && !isFile(parsed[0]!)) {
      sendJson(res, 400, { message: "Each member of 'rules.files' array must contain 'name' and 'content'" });
      return;
    }
    if (
      parsed.length > 1 &&
      !parsed.every((f) => isFile(f) && typeof f.resource === 'string' && f.resource !== '')
    ) {
      sendJson(res, 400, {
        message: "Each member of 'rules.files' array must contain 'name', 'content', and 'resource'",
      });
      return;
    }
    try {
      if (parsed.length === 1) {
        hooks.ctx.service.rules.load(parsed[0]!.content as string);
      } else {
        hooks.ctx.service.rules.loadPerBucket(
          parsed.map((f) => ({
            bucket: bucketOfResource(f.resource as string),
            name: f.name as string,
            source: f.content as string,
          })),
        );
      }
    } catch (err) {
      if (err instanceof RulesLoadError) {
        const single = parsed.length === 1 ? (parsed[0]!.name as string) : undefined;
        const details = err.issues.map((i) => `${i.file ?? single}:${i.line}:${i.column}: ${i.message}`);
        if (details.length === 0) details.push(err.message);
        hooks.log(`Could not update storage rules:\n${details.join('\n')}`);
        // The message is Google's; the line:column details ride along for people and tools.
        sendJson(res, 400, {
          message: 'There was an error updating rules, see logs for more details',
          details,
          issues: err.issues,
        });
        return;
      }
      throw err;
    }
    sendJson(res, 200, { message: 'Rules updated successfully' });
    return;
  }
  if (path === '/internal/reset' && (method === 'POST' || method === 'DELETE')) {
    await hooks.reset();
    sendEmpty(res, 200);
    return;
  }
  if (path === '/internal/export' && method === 'POST') {
    const body = (await readJson(req, 64 * 1024)) as { path?: unknown } | undefined;
    if (typeof body?.path !== 'string' || body.path === '') {
      sendJson(res, 400, {
        message: "Export request body must include 'path'.",
      });
      return;
    }
    await hooks.exportTo(body.path);
    sendEmpty(res, 200);
    return;
  }
  throw new HttpError(404, 'Not Found.');
}
