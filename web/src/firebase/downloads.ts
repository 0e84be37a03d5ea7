import { getBlob, ref } from 'firebase/storage';
import { guardTransfer, stallAfterMs, TransferStopped } from '../data/stall.js';
import { failureCode, failureMessage, type TransferFailure } from '../data/transfer-errors.js';
import { auth } from './auth.js';
import { storage } from './storage.js';

export type Progress = (loaded: number, total: number) => void;

/**
 * Where premium library files and message attachments are read: the downloadFile function,
 * on the app's own origin (a Hosting rewrite in production, the dev server's proxy locally).
 * Storage rules let no client read those objects, because any allowed read of an object's
 * metadata mints a public download token.
 */
export const DOWNLOAD_ENDPOINT = '/api/download';

/** A refused, failed, stalled or cancelled download; `code` is `download/<reason>`, the message is written for people. */
export class DownloadError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'DownloadError';
  }
}

export interface DownloadOptions {
  /** Bytes received so far and the total (0 when unknown). */
  onProgress?: Progress;
  /** Aborting it cancels the download; it then rejects with `download/cancelled`. */
  cancel?: AbortSignal;
}

const online = (): boolean => typeof navigator === 'undefined' || navigator.onLine;

function failed(failure: TransferFailure): DownloadError {
  return new DownloadError(failureCode('download', failure), failureMessage('download', failure));
}

/**
 * Every download is watched: no progress for a while stops it with a readable error, and the
 * member's Cancel stops it at once, even when the request underneath ignores being aborted.
 */
async function guarded(
  work: (signal: AbortSignal, onProgress: Progress) => Promise<Blob>,
  options: DownloadOptions,
): Promise<Blob> {
  const stallMs = stallAfterMs();
  try {
    return await guardTransfer(
      (signal, alive) =>
        work(signal, (loaded, total) => {
          alive();
          options.onProgress?.(loaded, total);
        }),
      { stallMs, ...(options.cancel ? { cancel: options.cancel } : {}) },
    );
  } catch (error) {
    if (error instanceof TransferStopped) {
      if (error.reason === 'cancelled') throw new DownloadError('download/cancelled', 'Download cancelled.');
      throw failed({ kind: 'stalled', seconds: Math.round(stallMs / 1000), online: online() });
    }
    throw error;
  }
}

/** The server's `{ error: { status, message } }` message for a refusal, when the answer is ours. */
async function serverMessage(response: Response): Promise<string | undefined> {
  try {
    const body = (await response.json()) as { error?: { status?: string; message?: string } };
    return typeof body.error?.message === 'string' && body.error.message ? body.error.message : undefined;
  } catch {
    // Not JSON: a proxy's or gateway's page. The status says enough.
    return undefined;
  }
}

/** Downloads through the function with the member's ID token, reporting bytes as they arrive. */
export function downloadChecked(path: string, options: DownloadOptions = {}): Promise<Blob> {
  return guarded(async (signal, onProgress) => {
    const user = auth().currentUser;
    if (!user) throw failed({ kind: 'status', status: 401, serverMessage: 'Sign in to download this file.' });
    const token = await user.getIdToken().catch(() => {
      throw failed({ kind: 'network', online: online() });
    });
    const response = await fetch(`${DOWNLOAD_ENDPOINT}?path=${encodeURIComponent(path)}`, {
      headers: { authorization: `Bearer ${token}` },
      signal,
    }).catch(() => {
      throw failed({ kind: 'network', online: online() });
    });
    if (!response.ok) {
      throw failed({ kind: 'status', status: response.status, serverMessage: await serverMessage(response) });
    }
    const total = Number(response.headers.get('content-length') ?? 0);
    const type = response.headers.get('content-type') ?? 'application/octet-stream';
    // The answer has begun: that is progress, even before the first bytes of the body.
    onProgress(0, total);
    const chunks: Uint8Array[] = [];
    let loaded = 0;
    try {
      if (!response.body) return new Blob([await response.arrayBuffer()], { type });
      const reader = response.body.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        chunks.push(value);
        loaded += value.length;
        onProgress(loaded, total);
      }
    } catch {
      throw failed({ kind: 'interrupted', online: online() });
    }
    if (total > 0 && loaded < total) throw failed({ kind: 'interrupted', online: online() });
    return new Blob(chunks as BlobPart[], { type });
  }, options);
}

// Free library files are read with the SDK: getBlob sends the member's ID token, so
// storage.rules decide. It reports no progress and takes no abort signal, though; the SDK
// downloads over XMLHttpRequest, so we listen to the progress events of the request whose URL
// names the object, and abort that request when the member cancels or it stalls. Nothing about
// what is sent changes.
interface Watch {
  onProgress: Progress;
  requests: Set<XMLHttpRequest>;
}
const watchers = new Map<string, Set<Watch>>();
let installed = false;

function installWatcher(): void {
  if (installed) return;
  installed = true;
  const open = XMLHttpRequest.prototype.open;
  XMLHttpRequest.prototype.open = function (
    this: XMLHttpRequest,
    ...args: Parameters<XMLHttpRequest['open']>
  ) {
    const url = String(args[1]);
    for (const [objectKey, watches] of watchers) {
      if (!url.includes(objectKey)) continue;
      // Two downloads of one object (a thumbnail and the Download button) each have their own
      // request in flight: a new request belongs to the downloads that have none running.
      const inFlight = (r: XMLHttpRequest): boolean =>
        r.readyState > XMLHttpRequest.UNSENT && r.readyState < XMLHttpRequest.DONE;
      const mine = [...watches].filter((w) => ![...w.requests].some(inFlight));
      for (const watch of mine) watch.requests.add(this);
      this.addEventListener('readystatechange', () => {
        // Headers in: the server answered, which counts as progress for stall detection.
        if (this.readyState === XMLHttpRequest.HEADERS_RECEIVED) for (const w of mine) w.onProgress(0, 0);
      });
      this.addEventListener('progress', (event) => {
        for (const w of mine) w.onProgress(event.loaded, event.lengthComputable ? event.total : 0);
      });
    }
    open.apply(this, args);
  } as XMLHttpRequest['open'];
}

/** What a Storage SDK error means for a download. */
function sdkFailure(error: unknown): DownloadError {
  const code = (error as { code?: unknown } | null)?.code;
  const status = (error as { status?: unknown } | null)?.status;
  switch (code) {
    case 'storage/unauthorized':
      return failed({ kind: 'status', status: 403, serverMessage: 'You do not have access to that file.' });
    case 'storage/unauthenticated':
      return failed({ kind: 'status', status: 401 });
    case 'storage/object-not-found':
      return failed({ kind: 'status', status: 404 });
    case 'storage/retry-limit-exceeded':
      return failed({ kind: 'network', online: online() });
    default:
      if (typeof status === 'number' && status >= 400) return failed({ kind: 'status', status });
      return failed(online() ? { kind: 'other' } : { kind: 'network', online: false });
  }
}

/** Downloads an object under the rules, reporting bytes received as they arrive. */
export function downloadBlob(path: string, options: DownloadOptions = {}): Promise<Blob> {
  return guarded(async (signal, onProgress) => {
    // The SDK would retry in silence until the stall limit; offline is known now.
    if (!online()) throw failed({ kind: 'network', online: false });
    installWatcher();
    // The object name appears URL-encoded in the request path: /v0/b/{bucket}/o/{name}?alt=media
    const key = `/o/${encodeURIComponent(path)}?`;
    const watch: Watch = { onProgress, requests: new Set() };
    const watches = watchers.get(key) ?? new Set<Watch>();
    watches.add(watch);
    watchers.set(key, watches);
    const abort = (): void => {
      for (const request of watch.requests) request.abort();
    };
    signal.addEventListener('abort', abort);
    try {
      return await getBlob(ref(storage(), path));
    } catch (error) {
      throw sdkFailure(error);
    } finally {
      signal.removeEventListener('abort', abort);
      watches.delete(watch);
      if (watches.size === 0) watchers.delete(key);
    }
  }, options);
}
