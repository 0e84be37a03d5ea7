/**
 * The life of one download on screen, as a small state machine: it can be started (again after
 * a failure or a cancel), it reports bytes, and it ends exactly once. Events that arrive after
 * the end — a late progress report or failure of a cancelled request — change nothing, so a
 * cancelled download never comes back as "Downloading…" or as an error.
 */

export type TransferState =
  | { phase: 'idle' }
  | { phase: 'running'; attempt: number; loaded: number; total: number }
  | { phase: 'done'; attempt: number }
  | { phase: 'cancelled'; attempt: number }
  | { phase: 'failed'; attempt: number; message: string };

export type TransferEvent =
  | { type: 'start' }
  | { type: 'progress'; loaded: number; total: number }
  | { type: 'finish' }
  | { type: 'cancel' }
  | { type: 'fail'; message: string };

export const IDLE: TransferState = { phase: 'idle' };

export function transition(state: TransferState, event: TransferEvent): TransferState {
  if (event.type === 'start') {
    if (state.phase === 'running') return state;
    const attempt = state.phase === 'idle' ? 1 : state.attempt + 1;
    return { phase: 'running', attempt, loaded: 0, total: 0 };
  }
  if (state.phase !== 'running') return state;
  switch (event.type) {
    case 'progress':
      return { ...state, loaded: event.loaded, total: event.total };
    case 'finish':
      return { phase: 'done', attempt: state.attempt };
    case 'cancel':
      return { phase: 'cancelled', attempt: state.attempt };
    case 'fail':
      return { phase: 'failed', attempt: state.attempt, message: event.message };
  }
}

/** Which buttons make sense now: Cancel only while running, Try again only after a failure. */
export function controlsFor(state: TransferState): { cancel: boolean; retry: boolean } {
  return { cancel: state.phase === 'running', retry: state.phase === 'failed' };
}

/** The status line for a download of `what` ("Tutorial", "photo.png"). */
export function downloadStatus(state: TransferState, what: string): string {
  switch (state.phase) {
    case 'idle':
    case 'done':
      return '';
    case 'running':
      return `Downloading ${what}…${state.total > 0 ? ` ${percent(state.loaded, state.total)}%` : ''}`;
    case 'cancelled':
      return 'Download cancelled.';
    case 'failed':
      return state.message;
  }
}

function percent(loaded: number, total: number): number {
  return Math.floor(Math.min(1, Math.max(0, loaded / total)) * 100);
}
