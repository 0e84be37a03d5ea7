import type { AttachmentRef } from '../data/compose.js';
import { type AttachmentState, statusText } from '../data/upload-status.js';
import { downloadUpload, waitForIntake } from '../data/uploads.js';
import { h } from '../ui/dom.js';
import { describeError } from '../ui/errors.js';
import { saveFile } from '../ui/save-file.js';

/**
 * One attachment of a sent message: its name, the intake's verdict (polled until it arrives) and,
 * once accepted, a download through the SDK with the reader's token.
 */
export function sentAttachment(attachment: AttachmentRef, folderUid: string): HTMLElement {
  const status = h('span', { class: 'attachment-status', role: 'status', 'aria-live': 'polite' });
  const download = h(
    'button',
    { type: 'button', class: 'secondary', hidden: true, 'aria-label': `Download ${attachment.name}` },
    'Download',
  );
  const item = h(
    'li',
    { class: 'attachment' },
    h('span', { class: 'attachment-name' }, attachment.name),
    status,
    download,
  );
  const show = (state: AttachmentState): void => {
    status.textContent = statusText(state);
    item.dataset.state = state.phase === 'checked' ? state.record.status : state.phase;
  };
  show({ phase: 'checking' });

  let path = '';
  // Polling stops when the conversation is no longer on screen.
  waitForIntake(
    attachment.id,
    () => item.isConnected,
    () => show({ phase: 'slow' }),
  ).then(
    (record) => {
      if (!record) return;
      show({ phase: 'checked', record });
      // The record names where the bytes are; only this conversation's folder is trusted.
      if (record.status === 'accepted' && record.path.startsWith(`uploads/${folderUid}/${attachment.id}/`)) {
        path = record.path;
        download.hidden = false;
      }
    },
    (error: unknown) => {
      status.textContent = describeError(error);
    },
  );

  download.addEventListener('click', () => {
    download.disabled = true;
    status.textContent = 'Downloading…';
    downloadUpload(path)
      .then(
        (blob) => {
          saveFile(blob, attachment.name);
          status.textContent = 'Accepted · downloaded';
        },
        (error: unknown) => {
          status.textContent = describeError(error);
        },
      )
      .finally(() => {
        download.disabled = false;
      });
  });
  return item;
}
