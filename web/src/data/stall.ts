/**
 * Stall detection for downloads and uploads: a transfer that reports no progress for a while is
 * stopped and reported, instead of sitting at "Downloading…" for as long as the network or an
 * SDK's own retry loop (up to 10 minutes for Storage uploads) keeps it open.
 */

/** Long enough for a cold function start and a slow phone link, short enough that people wait for it. */
export const DEFAULT_STALL_MS = 20_000;

/** Development builds read an override here, so browser tests need not wait 20 s for a stall. */
export const STALL_SETTING_KEY = 'member-portal:stall-ms';

export function stallAfterMs(): number {
  if (import.meta.env.DEV && typeof sessionStorage !== 'undefined') {
    const override = Number(sessionStorage.getItem(STALL_SETTING_KEY));
    if (Number.isFinite(override) && override > 0) return override;
  }
  return DEFAULT_STALL_MS;
}

export interface StallTimer {
  /** Progress was made: the clock starts again. */
  touch(): void;
  stop(): void;
}

/** Calls `onStall` once if `touch()` is not called for `ms`; `stop()` ends the watch. */
export function stallTimer(ms: number, onStall: () => void): StallTimer {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  const arm = (): void => {
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(() => {
      stopped = true;
      onStall();
    }, ms);
  };
  arm();
  return {
    touch() {
      if (!stopped) arm();
    },
    stop() {
      stopped = true;
      if (timer !== undefined) clearTimeout(timer);
    },
  };
}

/** How a guarded transfer was stopped from outside the work itself. */
export class TransferStopped extends Error {
  constructor(readonly reason: 'cancelled' | 'stalled') {
    super(reason === 'cancelled' ? 'The transfer was cancelled.' : 'The transfer stalled.');
    this.name = 'TransferStopped';
  }
}

/**
 * Runs `work` with a signal that aborts when `cancel` fires or when `progress()` has not been
 * called for `stallMs`. Settles at once on either, even if the work ignores its signal, so
 * nothing waits on a request that never ends.
 */
export function guardTransfer<T>(
  work: (signal: AbortSignal, progress: () => void) => Promise<T>,
  options: { stallMs: number; cancel?: AbortSignal },
): Promise<T> {
  const controller = new AbortController();
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const finish = (settle: () => void): void => {
      if (settled) return;
      settled = true;
      watch.stop();
      options.cancel?.removeEventListener('abort', onCancel);
      settle();
    };
    const stop = (reason: 'cancelled' | 'stalled'): void => {
      const error = new TransferStopped(reason);
      controller.abort(error);
      finish(() => reject(error));
    };
    const onCancel = (): void => stop('cancelled');
    const watch = stallTimer(options.stallMs, () => stop('stalled'));
    if (options.cancel?.aborted) {
      onCancel();
      return;
    }
    options.cancel?.addEventListener('abort', onCancel);
    work(controller.signal, () => watch.touch()).then(
      (value) => finish(() => resolve(value)),
      (error: unknown) => finish(() => reject(error)),
    );
  });
}
