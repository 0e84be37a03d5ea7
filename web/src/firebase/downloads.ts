import { getBlob, ref } from 'firebase/storage';
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

/** A refused or failed download; `code` is `download/<status>`, the message is written for people. */
export class DownloadError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = 'DownloadError';
  }
}

/** The server's `{ error: { status, message } }`, or a generic sentence when the answer is not ours. */
async function refusal(response: Response): Promise<DownloadError> {
  try {
    const body = (await response.json()) as { error?: { status?: string; message?: string } };
    if (body.error?.status && body.error.message) {
      return new DownloadError(
        `download/${body.error.status.toLowerCase().replace(/_/g, '-')}`,
        body.error.message,
      );
    }
  } catch {
    // Not JSON: a proxy or network page. Fall through to the status.
  }
  return new DownloadError(
    'download/unavailable',
    `The download failed (HTTP ${response.status}). Try again.`,
  );
}

/** Downloads through the function with the member's ID token, reporting bytes as they arrive. */
export async function downloadChecked(
  path: string,
  onProgress: Progress,
  signal?: AbortSignal,
): Promise<Blob> {
  const user = auth().currentUser;
  if (!user) throw new DownloadError('download/unauthenticated', 'Sign in to download this file.');
  const response = await fetch(`${DOWNLOAD_ENDPOINT}?path=${encodeURIComponent(path)}`, {
    headers: { authorization: `Bearer ${await user.getIdToken()}` },
    ...(signal ? { signal } : {}),
  }).catch((error: unknown) => {
    if (signal?.aborted) throw error;
    throw new DownloadError(
      'download/unavailable',
      'Cannot reach the server. Check your connection and try again.',
    );
  });
  if (!response.ok) throw await refusal(response);
  const total = Number(response.headers.get('content-length') ?? 0);
  const type = response.headers.get('content-type') ?? 'application/octet-stream';
  if (!response.body) return new Blob([await response.arrayBuffer()], { type });
  const chunks: Uint8Array[] = [];
  let loaded = 0;
  const reader = response.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    loaded += value.length;
    onProgress(loaded, total);
  }
  return new Blob(chunks as BlobPart[], { type });
}

// Free library files are read with the SDK: getBlob sends the member's ID token, so
// storage.rules decide. It reports no progress, though; the SDK downloads over XMLHttpRequest,
// so we listen to the progress events of the request whose URL names the object. This watches
// requests only — it never changes what is sent.
const watchers = new Map<string, Set<Progress>>();
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
    for (const [objectKey, listeners] of watchers) {
      if (!url.includes(objectKey)) continue;
      this.addEventListener('progress', (event) => {
        for (const listener of listeners) listener(event.loaded, event.lengthComputable ? event.total : 0);
      });
    }
    open.apply(this, args);
  } as XMLHttpRequest['open'];
}

/** Downloads an object under the rules, reporting bytes received as they arrive. */
export async function downloadBlob(path: string, onProgress: Progress): Promise<Blob> {
  installWatcher();
  // The object name appears URL-encoded in the request path: /v0/b/{bucket}/o/{name}?alt=media
  const key = `/o/${encodeURIComponent(path)}?`;
  const listeners = watchers.get(key) ?? new Set<Progress>();
  listeners.add(onProgress);
  watchers.set(key, listeners);
  try {
    return await getBlob(ref(storage(), path));
  } finally {
    listeners.delete(onProgress);
    if (listeners.size === 0) watchers.delete(key);
  }
}
