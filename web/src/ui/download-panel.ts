import { IDLE, controlsFor, downloadStatus, type TransferState, transition } from '../data/transfer-state.js';
import type { DownloadOptions } from '../firebase/downloads.js';
import { h } from './dom.js';
import { describeError } from './errors.js';
import './failures.css';

export interface DownloadPanelOptions {
  /** What is downloaded, as the member knows it: "Tutorial", "photo.png". */
  what: string;
  /** The button that starts it; disabled while the download runs. */
  trigger: HTMLButtonElement;
  /** Shows the progress bar (in bytes); small attachments do without. */
  showProgress?: boolean;
  /** A status line of the caller's to write to, instead of one of the panel's own. */
  status?: HTMLElement;
  download(options: Required<DownloadOptions>): Promise<Blob>;
  /** Uses the file and returns the status line to show ("Downloaded guide.txt."). */
  done(blob: Blob): string;
  /** Handles a failure itself (true), e.g. a premium item that is locked again. */
  handled?(error: unknown): Promise<boolean>;
}

/**
 * A download as the member sees it: progress while it runs with a Cancel button, and after a
 * failure the reason in words and a Try again button. It always ends — finished, cancelled or
 * failed — because firebase/downloads.ts stops stalled transfers.
 */
export function downloadPanel(options: DownloadPanelOptions): { element: HTMLElement; start(): void } {
  const { what, trigger } = options;
  const progress = h('progress', { max: '1', value: '0', hidden: true, 'aria-label': `Downloading ${what}` });
  const status =
    options.status ?? h('p', { class: 'status transfer-status', role: 'status', 'aria-live': 'polite' });
  const cancelButton = h('button', { type: 'button', class: 'secondary', hidden: true }, 'Cancel');
  cancelButton.setAttribute('aria-label', `Cancel downloading ${what}`);
  const retryButton = h('button', { type: 'button', hidden: true }, 'Try again');
  retryButton.setAttribute('aria-label', `Try downloading ${what} again`);
  const element = h(
    'div',
    { class: 'transfer' },
    progress,
    options.status ? null : status,
    h('div', { class: 'transfer-actions' }, cancelButton, retryButton),
  );

  let state: TransferState = IDLE;
  let controller: AbortController | undefined;
  let doneText = '';

  const show = (next: TransferState): void => {
    state = next;
    const controls = controlsFor(state);
    const running = state.phase === 'running';
    trigger.disabled = running;
    cancelButton.hidden = !controls.cancel;
    retryButton.hidden = !controls.retry;
    element.dataset.state = state.phase;
    progress.hidden = !(options.showProgress ?? true) || !(running || state.phase === 'done');
    if (state.phase === 'running') {
      if (state.total > 0) progress.max = state.total;
      progress.value = state.loaded;
    }
    if (state.phase !== 'idle')
      status.textContent = state.phase === 'done' ? doneText : downloadStatus(state, what);
  };

  const start = (): void => {
    if (state.phase === 'running') return;
    const mine = new AbortController();
    controller = mine;
    show(transition(state, { type: 'start' }));
    const current = (): boolean => controller === mine;
    options
      .download({
        cancel: mine.signal,
        onProgress: (loaded, total) => {
          if (current()) show(transition(state, { type: 'progress', loaded, total }));
        },
      })
      .then(
        (blob) => {
          if (!current() || state.phase !== 'running') return;
          progress.max = Math.max(blob.size, 1);
          progress.value = blob.size;
          try {
            doneText = options.done(blob);
          } catch (error) {
            show(transition(state, { type: 'fail', message: describeError(error) }));
            return;
          }
          show(transition(state, { type: 'finish' }));
        },
        async (error: unknown) => {
          if (!current() || state.phase !== 'running') return;
          if (await options.handled?.(error).catch(() => false)) {
            show(IDLE);
            return;
          }
          show(transition(state, { type: 'fail', message: describeError(error) }));
          // Keyboard focus on Cancel would otherwise fall to the page when it hides.
          if (document.activeElement === cancelButton || document.activeElement === document.body)
            retryButton.focus();
        },
      );
  };

  cancelButton.addEventListener('click', () => {
    controller?.abort();
    show(transition(state, { type: 'cancel' }));
    trigger.focus();
  });
  retryButton.addEventListener('click', start);
  return { element, start };
}
