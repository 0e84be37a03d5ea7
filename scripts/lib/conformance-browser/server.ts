/**
 * Serves the runner's pages, mocha's browser build and the bundle on 127.0.0.1 (a port of the
 * system's choosing), so the page's origin differs from the emulator's: every SDK call is
 * cross-origin with credentials, as in a deployed app.
 */
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize, sep } from 'node:path';

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
};

export interface StaticServer {
  origin: string;
  /** Serves `html` at `path` (e.g. /run/3.html) until replaced. */
  setPage(path: string, html: string): void;
  close(): Promise<void>;
}

/**
 * The file under `root` that `urlPath` names, or undefined when it would leave `root`
 * (`..`, encoded separators) or is not a plain path.
 */
export function resolveUnder(root: string, urlPath: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return undefined;
  const file = normalize(join(root, decoded));
  return file.startsWith(root.endsWith(sep) ? root : root + sep) ? file : undefined;
}

/** `mounts` maps URL prefixes (e.g. /bundle/) to folders; `files` maps exact URL paths to files. */
export async function startStaticServer(
  mounts: Record<string, string>,
  files: Record<string, string>,
): Promise<StaticServer> {
  const pages = new Map<string, string>();
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    const send = (status: number, type: string, body: string | Buffer): void => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(body);
    };
    const page = pages.get(path);
    if (page !== undefined) return send(200, TYPES['.html']!, page);
    let file = files[path];
    if (file === undefined) {
      const prefix = Object.keys(mounts).find((p) => path.startsWith(p));
      if (prefix !== undefined) file = resolveUnder(mounts[prefix]!, path.slice(prefix.length));
    }
    if (file === undefined) return send(404, 'text/plain', 'not found');
    readFile(file).then(
      (body) => send(200, TYPES[extname(file)] ?? 'application/octet-stream', body),
      () => send(404, 'text/plain', 'not found'),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    setPage: (path, html) => void pages.set(path, html),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
