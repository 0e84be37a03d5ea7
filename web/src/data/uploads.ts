import { downloadChecked, type DownloadOptions } from '../firebase/downloads.js';
import { ref, storage, type UploadTask, uploadBytesResumable } from '../firebase/storage.js';
import { type AttachmentType, newUploadId } from './attachments.js';
import { stallAfterMs, type StallTimer, stallTimer } from './stall.js';
import { failureMessage, type TransferFailure, uploadFailureOf } from './transfer-errors.js';

/**
 * Attachment bytes live at uploads/{folderUid}/{uploadId}/{name}, where folderUid is the member
 * whose conversation they belong to (staff replying upload into the member's folder, so the member
 * may read them). The intake function answers in Firestore at uploads/{uploadId}.
 */
export function uploadPath(folderUid: string, uploadId: string, name: string): string {
  return `uploads/${folderUid}/${uploadId}/${name}`;
}

export interface UploadEvents {
  progress(fraction: number): void;
  /** The bytes are stored; the intake takes over. */
  stored(): void;
  /** Failed, stalled or went offline: `message` says so in words. Try again with `retry()`. */
  failed(message: string): void;
  cancelled(): void;
}

export interface Upload {
  /** The upload's id; a new one when a failed upload has to start again from the beginning. */
  readonly id: string;
  readonly name: string;
  cancel(): void;
  /** After a failure: resumes where the transfer stopped, or starts it again. */
  retry(): void;
}

type Phase = 'running' | 'paused' | 'failed' | 'stored' | 'cancelled';

const online = (): boolean => typeof navigator === 'undefined' || navigator.onLine;

/**
 * Uploads one attachment with the SDK's resumable upload. The SDK retries network errors by
 * itself for up to ten minutes, showing nothing; so a transfer that makes no progress for a while
 * (stall.ts), or the browser going offline, pauses it and reports the failure at once. Try again
 * resumes a paused transfer; one the SDK gave up on starts afresh under a new id.
 */
export function startUpload(
  folderUid: string,
  file: Blob,
  name: string,
  contentType: AttachmentType,
  events: UploadEvents,
): Upload {
  let id = '';
  let task: UploadTask;
  let phase: Phase = 'running';
  let watch: StallTimer | undefined;
  const stallMs = stallAfterMs();

  const settle = (next: Phase): void => {
    phase = next;
    watch?.stop();
    if (next !== 'running') window.removeEventListener('offline', wentOffline);
  };
  const halt = (failure: TransferFailure): void => {
    if (phase !== 'running') return;
    // A paused resumable upload continues from its last stored byte; if it cannot pause, it
    // is dropped and Try again starts a new one.
    settle('paused');
    if (!task.pause()) {
      phase = 'failed';
      task.cancel();
    }
    events.failed(failureMessage('upload', failure));
  };
  function wentOffline(): void {
    halt({ kind: 'network', online: false });
  }
  const run = (): void => {
    phase = 'running';
    watch?.stop();
    watch = stallTimer(stallMs, () =>
      halt({ kind: 'stalled', seconds: Math.round(stallMs / 1000), online: online() }),
    );
    window.addEventListener('offline', wentOffline);
    // Already offline: the SDK would only retry in silence.
    if (!online()) queueMicrotask(wentOffline);
  };
  const begin = (): void => {
    id = newUploadId();
    // The content type is set explicitly: storage.rules admits only the canonical spellings.
    const mine = uploadBytesResumable(ref(storage(), uploadPath(folderUid, id, name)), file, { contentType });
    task = mine;
    run();
    mine.on(
      'state_changed',
      (snapshot) => {
        if (task !== mine || phase !== 'running') return;
        watch?.touch();
        events.progress(snapshot.totalBytes > 0 ? snapshot.bytesTransferred / snapshot.totalBytes : 0);
      },
      (error) => {
        // Errors of a dropped task, or the one our own cancel causes, are already accounted for.
        if (task !== mine || (phase !== 'running' && phase !== 'paused')) return;
        settle('failed');
        events.failed(failureMessage('upload', uploadFailureOf(error.code, online())));
      },
      () => {
        if (task !== mine || phase !== 'running') return;
        settle('stored');
        events.stored();
      },
    );
  };
  begin();

  return {
    get id() {
      return id;
    },
    name,
    cancel() {
      if (phase !== 'running' && phase !== 'paused' && phase !== 'failed') return;
      settle('cancelled');
      task.cancel();
      events.cancelled();
    },
    retry() {
      if (phase === 'paused') {
        run();
        if (task.resume()) return;
        phase = 'failed';
        task.cancel();
      }
      if (phase === 'failed') begin();
    },
  };
}

// Verdicts never change once written, so each is fetched until found and then remembered.
/** Through the downloadFile function: served once the intake accepted it, typed and named from its record. */
export function downloadUpload(path: string, options: DownloadOptions = {}): Promise<Blob> {
  return downloadChecked(path, options);
}
