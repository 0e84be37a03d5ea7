/**
 * How an attachment's journey reads to a person: uploading, checking, then the intake's verdict
 * (functions/src/intake/reasons.ts writes the rejection reasons in plain language already).
 */

export interface IntakeRecord {
  status: 'accepted' | 'rejected';
  reason: string | null;
  size: number;
  path: string;
  /**
   * The name to show and save under, made by the intake from the uploaded name: no control or
   * bidi characters, an extension matching the detected type. Null on records older than it.
   */
  safeName: string | null;
}

export type AttachmentState =
  | { phase: 'uploading'; fraction: number }
  | { phase: 'cancelled' }
  | { phase: 'failed'; message: string }
  | { phase: 'checking' }
  | { phase: 'slow' }
  | { phase: 'checked'; record: IntakeRecord };

export function statusText(state: AttachmentState): string {
  switch (state.phase) {
    case 'uploading':
      return `Uploading… ${Math.floor(Math.min(1, Math.max(0, state.fraction)) * 100)}%`;
    case 'cancelled':
      return 'Upload cancelled.';
    case 'failed':
      return `Upload failed: ${state.message}`;
    case 'checking':
      return 'Checking the file…';
    case 'slow':
      return 'Still checking the file. Come back later to see the result.';
    case 'checked':
      return state.record.status === 'accepted'
        ? 'Accepted'
        : `Rejected: ${state.record.reason ?? 'The file could not be checked.'}`;
  }
}

/** Reads a stored record defensively: anything malformed counts as "not checked yet". */
export function parseIntakeRecord(data: Record<string, unknown> | undefined): IntakeRecord | undefined {
  if (!data) return undefined;
  const { status, reason, size, path, safeName } = data;
  if (status !== 'accepted' && status !== 'rejected') return undefined;
  return {
    status,
    reason: typeof reason === 'string' ? reason : null,
    size: typeof size === 'number' ? size : 0,
    path: typeof path === 'string' ? path : '',
    safeName: typeof safeName === 'string' && safeName !== '' ? safeName : null,
  };
}

/** After this long without a verdict, the member is told it is taking a while (the listener stays). */
export const SLOW_AFTER_MS = 60_000;
