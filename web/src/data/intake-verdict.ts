import { doc, liveFirestore, onSnapshot } from '../firebase/firestore-live.js';
import { type IntakeRecord, parseIntakeRecord, SLOW_AFTER_MS } from './upload-status.js';

// The intake function's verdict on an upload (uploads/{id}), heard through a listener on the
// record (issue 19: the messages pages no longer poll). A verdict never changes once written, so
// each upload is listened to until its verdict arrives, and remembered for the session.

const verdicts = new Map<string, IntakeRecord>();

/**
 * Resolves with the verdict as soon as the intake writes it, or undefined when `signal` aborts
 * first (the page was left). `onSlow` runs once if nothing came within SLOW_AFTER_MS. Rejects with
 * the SDK's error when the listener is refused (permission-denied).
 */
export function waitForIntake(
  uploadId: string,
  signal: AbortSignal,
  onSlow: () => void,
): Promise<IntakeRecord | undefined> {
  const known = verdicts.get(uploadId);
  if (known) return Promise.resolve(known);
  return new Promise((resolve, reject) => {
    if (signal.aborted) return resolve(undefined);
    const slow = setTimeout(onSlow, SLOW_AFTER_MS);
    let stop = (): void => undefined;
    const finish = (): void => {
      clearTimeout(slow);
      stop();
      signal.removeEventListener('abort', left);
    };
    const left = (): void => {
      finish();
      resolve(undefined);
    };
    signal.addEventListener('abort', left, { once: true });
    stop = onSnapshot(
      doc(liveFirestore(), 'uploads', uploadId),
      (snapshot) => {
        const record = parseIntakeRecord(snapshot.data());
        if (!record) return;
        verdicts.set(uploadId, record);
        finish();
        resolve(record);
      },
      (error) => {
        finish();
        reject(error);
      },
    );
  });
}
