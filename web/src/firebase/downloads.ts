import { getBlob, ref } from 'firebase/storage';
import { storage } from './storage.js';

export type Progress = (loaded: number, total: number) => void;

// getBlob sends the member's ID token, so storage.rules decide every download and no
// long-lived download URL is ever minted. It reports no progress, though; the SDK downloads
// over XMLHttpRequest, so we listen to the progress events of the request whose URL names the
// object. This watches requests only — it never changes what is sent.
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
