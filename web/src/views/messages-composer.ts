import { ACCEPT, checkAttachment, formatSize, MAX_ATTACHMENTS } from '../data/attachments.js';
import { type AttachmentRef, composeMessage, MAX_TEXT_LENGTH } from '../data/compose.js';
import type { Sending } from '../data/messages.js';
import { type AttachmentState, type IntakeRecord, statusText } from '../data/upload-status.js';
import { waitForIntake } from '../data/intake-verdict.js';
import { startUpload, type Upload } from '../data/uploads.js';
import { h, statusRegion } from '../ui/dom.js';
import { describeError } from '../ui/errors.js';
import { progressBar } from '../ui/progress.js';
import '../ui/failures.css';

interface Pending {
  upload: Upload;
  readonly state: AttachmentState;
  row: HTMLElement;
}

/** Stored and not refused: what goes into the message. A verdict may still be on its way. */
function isUsable(state: AttachmentState): boolean {
  if (state.phase === 'checked') return state.record.status === 'accepted';
  return state.phase === 'checking' || state.phase === 'slow';
}

export interface ComposerOptions {
  /** Whose conversation folder the files go to (uploads/{folderUid}/…). */
  folderUid: string;
  /** The page's lifetime: verdicts still awaited stop being listened to when it aborts. */
  signal: AbortSignal;
  /** Field ids must be unique on the page. */
  idPrefix: string;
  /** Resolves once the message is queued (and shown); `delivered` settles when the server answers. */
  send(text: string, attachments: AttachmentRef[]): Promise<Sending>;
  /** Turns a send failure into a sentence. */
  describe(error: unknown): string;
}

/**
 * Writes a message with up to five attachments. Each file starts uploading as soon as it is
 * chosen, with a progress bar and a Cancel button, then shows the intake's verdict; rejected and
 * cancelled files are left out of the message. A failed or stalled upload says why and offers Try
 * again; the message is not sent past it, and the text typed is kept whatever happens to a file.
 */
export function messageComposer(options: ComposerOptions): HTMLFormElement {
  const status = statusRegion();
  const textId = `${options.idPrefix}-text`;
  const countId = `${options.idPrefix}-count`;
  const filesId = `${options.idPrefix}-files`;
  const text = h('textarea', { id: textId, name: 'text', rows: '4', 'aria-describedby': countId });
  const count = h(
    'p',
    { id: countId, class: 'hint' },
    `0 / ${MAX_TEXT_LENGTH.toLocaleString('en-US')} characters`,
  );
  const files = h('input', { id: filesId, name: 'files', type: 'file', multiple: true, accept: ACCEPT });
  const list = h('ul', { class: 'pending-attachments', 'aria-label': 'Attachments' });
  const sendButton = h('button', { type: 'submit' }, 'Send');
  const form = h(
    'form',
    { class: 'stack composer' },
    h('div', { class: 'field' }, h('label', { for: textId }, 'Message'), text, count),
    h(
      'div',
      { class: 'field' },
      h('label', { for: filesId }, 'Attach files'),
      h(
        'p',
        { class: 'hint' },
        `Up to ${MAX_ATTACHMENTS} images (PNG, JPEG, WebP, GIF), PDFs, text files or ZIP archives, 20 MB each.`,
      ),
      files,
    ),
    list,
    sendButton,
    status,
  );

  const pending: Pending[] = [];

  text.addEventListener('input', () => {
    const length = text.value.trim().length;
    count.textContent = `${length.toLocaleString('en-US')} / ${MAX_TEXT_LENGTH.toLocaleString('en-US')} characters`;
    count.classList.toggle('over', length > MAX_TEXT_LENGTH);
  });

  const remove = (entry: Pending): void => {
    pending.splice(pending.indexOf(entry), 1);
    entry.row.remove();
  };

  const addFile = (file: File): void => {
    const active = pending.filter((p) => isUsable(p.state) || p.state.phase === 'uploading').length;
    const check = checkAttachment(file, active);
    if (!check.ok) {
      status.textContent = check.reason;
      return;
    }
    const bar = progressBar(`Upload progress of ${check.fileName}`);
    const rowStatus = h('span', { class: 'attachment-status', role: 'status', 'aria-live': 'polite' });
    const action = h(
      'button',
      { type: 'button', class: 'secondary', 'aria-label': `Cancel ${check.fileName}` },
      'Cancel',
    );
    const retry = h(
      'button',
      { type: 'button', hidden: true, 'aria-label': `Try uploading ${check.fileName} again` },
      'Try again',
    );
    const row = h(
      'li',
      { class: 'attachment' },
      h('span', { class: 'attachment-name' }, `${check.fileName} (${formatSize(file.size)})`),
      bar.element,
      rowStatus,
      h('span', { class: 'attachment-actions' }, retry, action),
    );
    const name = check.fileName;
    const box: { state: AttachmentState } = { state: { phase: 'uploading', fraction: 0 } };
    const show = (state: AttachmentState): void => {
      box.state = state;
      rowStatus.textContent = statusText(state);
      row.dataset.state = state.phase === 'checked' ? state.record.status : state.phase;
      if (state.phase === 'uploading') {
        bar.element.hidden = false;
        bar.set(state.fraction);
      } else bar.element.hidden = true;
      retry.hidden = state.phase !== 'failed';
      const verb = state.phase === 'uploading' ? 'Cancel' : 'Remove';
      action.textContent = verb;
      action.setAttribute('aria-label', `${verb} ${name}`);
    };
    let fraction = 0;
    const upload = startUpload(options.folderUid, file, name, check.contentType, {
      progress: (value) => {
        fraction = value;
        if (box.state.phase === 'uploading') show({ phase: 'uploading', fraction });
      },
      stored: () => {
        show({ phase: 'checking' });
        waitForIntake(upload.id, options.signal, () => show({ phase: 'slow' })).then(
          (record?: IntakeRecord) => {
            if (record) show({ phase: 'checked', record });
          },
          (error: unknown) => {
            rowStatus.textContent = describeError(error);
          },
        );
      },
      failed: (message) => {
        show({ phase: 'failed', message });
        // Focus was on Cancel, which now reads Remove: offer the retry instead.
        if (document.activeElement === action || document.activeElement === document.body) retry.focus();
      },
      cancelled: () => show({ phase: 'cancelled' }),
    });
    const current: Pending = {
      upload,
      row,
      get state() {
        return box.state;
      },
    };
    show(current.state);
    pending.push(current);
    list.append(row);

    action.addEventListener('click', () => {
      if (current.state.phase === 'uploading') upload.cancel();
      else {
        // Removing a failed upload also drops its paused transfer.
        if (current.state.phase === 'failed') upload.cancel();
        remove(current);
      }
    });
    retry.addEventListener('click', () => {
      show({ phase: 'uploading', fraction });
      upload.retry();
      action.focus();
    });
  };

  files.addEventListener('change', () => {
    status.textContent = '';
    for (const file of Array.from(files.files ?? [])) addFile(file);
    // Lets the same file be chosen again after a removal.
    files.value = '';
  });

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (pending.some((p) => p.state.phase === 'uploading')) {
      status.textContent = 'Wait for the uploads to finish, or cancel them.';
      return;
    }
    // Sending without it would drop a file the member still means to send.
    if (pending.some((p) => p.state.phase === 'failed')) {
      status.textContent = 'An attachment did not upload. Try it again, or remove it.';
      return;
    }
    const usable = pending.filter((p) => isUsable(p.state));
    const composed = composeMessage(
      text.value,
      usable.map((p) => ({ id: p.upload.id, name: p.upload.name })),
    );
    if (!composed.ok) {
      status.textContent = composed.reason;
      return;
    }
    sendButton.disabled = true;
    status.textContent = 'Sending…';
    options
      .send(composed.text, composed.attachments)
      .then(
        (sending) => {
          // The message shows in the conversation already (pending): the form is free for the next.
          const sentFiles = [...pending];
          text.value = '';
          text.dispatchEvent(new Event('input'));
          for (const entry of sentFiles) remove(entry);
          status.textContent = navigator.onLine
            ? 'Sending…'
            : 'You are offline. Your message is kept and will be sent when you are back online.';
          sending.delivered.then(
            () => {
              status.textContent = 'Message sent.';
            },
            (error: unknown) => {
              // Refused by the server: the words and the files go back into the form, nothing is lost.
              const typed = text.value.trim();
              text.value = typed ? `${composed.text}\n\n${typed}` : composed.text;
              text.dispatchEvent(new Event('input'));
              for (const entry of sentFiles) {
                if (!pending.includes(entry)) {
                  pending.push(entry);
                  list.append(entry.row);
                }
              }
              status.textContent = `Your message was not sent. ${options.describe(error)}`;
            },
          );
        },
        (error: unknown) => {
          status.textContent = options.describe(error);
        },
      )
      .finally(() => {
        sendButton.disabled = false;
      });
  });
  return form;
}
