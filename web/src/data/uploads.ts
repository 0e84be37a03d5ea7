import { doc, firestore, getDoc } from '../firebase/firestore.js';
import { downloadChecked } from '../firebase/downloads.js';
import { ref, storage, uploadBytesResumable } from '../firebase/storage.js';
import { type AttachmentType, newUploadId } from './attachments.js';
import { type IntakeRecord, parseIntakeRecord, pollDelay, SLOW_AFTER_MS } from './upload-status.js';

/**
 * Attachment bytes live at uploads/{folderUid}/{uploadId}/{name}, where folderUid is the member
 * whose conversation they belong to (staff replying upload into the member's folder, so the member
 * may read them). The intake function answers in Firestore at uploads/{uploadId}.
 */
export function uploadPath(folderUid: string, uploadId: string, name: string): string {
  return `uploads/${folderUid}/${uploadId}/${name}`;
}

export interface Upload {
  id: string;
  name: string;
  /** Settles when the bytes are stored; rejects with `storage/canceled` after cancel(). */
  done: Promise<void>;
  cancel(): void;
}

export function startUpload(
  folderUid: string,
  file: Blob,
  name: string,
  contentType: AttachmentType,
  onProgress: (fraction: number) => void,
): Upload {
  const id = newUploadId();
  // The content type is set explicitly: storage.rules admits only the canonical spellings.
  const task = uploadBytesResumable(ref(storage(), uploadPath(folderUid, id, name)), file, { contentType });
  const done = new Promise<void>((resolve, reject) => {
    task.on(
      'state_changed',
      (snapshot) => onProgress(snapshot.totalBytes > 0 ? snapshot.bytesTransferred / snapshot.totalBytes : 0),
      reject,
      () => resolve(),
    );
  });
  return { id, name, done, cancel: () => void task.cancel() };
}

// Verdicts never change once written, so each is fetched until found and then remembered.
const verdicts = new Map<string, IntakeRecord>();

export async function readIntake(uploadId: string): Promise<IntakeRecord | undefined> {
  const known = verdicts.get(uploadId);
  if (known) return known;
  const record = parseIntakeRecord((await getDoc(doc(firestore(), 'uploads', uploadId))).data());
  if (record) verdicts.set(uploadId, record);
  return record;
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

function isPermanent(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'permission-denied' || code === 'unauthenticated';
}

/**
 * Firestore Lite has no listeners, so the verdict is polled with backoff (upload-status.ts) for as
 * long as `alive()` says someone is looking. Undefined when the caller went away first.
 */
export async function waitForIntake(
  uploadId: string,
  alive: () => boolean,
  onSlow: () => void,
): Promise<IntakeRecord | undefined> {
  const started = Date.now();
  let toldSlow = false;
  for (let attempt = 0; ; attempt += 1) {
    try {
      const record = await readIntake(uploadId);
      if (record) return record;
    } catch (error) {
      if (isPermanent(error)) throw error;
      // Transient (network, server busy): the next poll tries again.
    }
    if (!toldSlow && Date.now() - started > SLOW_AFTER_MS) {
      toldSlow = true;
      onSlow();
    }
    await sleep(pollDelay(attempt));
    if (!alive()) return undefined;
  }
}

/** Through the downloadFile function: served once the intake accepted it, typed and named from its record. */
export function downloadUpload(path: string): Promise<Blob> {
  return downloadChecked(path, () => undefined);
}
