import { safeFileName } from '../data/attachments.js';
import type { AttachmentRef } from '../data/compose.js';
import { type AttachmentState, statusText } from '../data/upload-status.js';
import { waitForIntake } from '../data/intake-verdict.js';
import { downloadUpload } from '../data/uploads.js';
import { h } from '../ui/dom.js';
import { describeError } from '../ui/errors.js';
import { downloadPanel } from '../ui/download-panel.js';
import { saveFile } from '../ui/save-file.js';

/** Accepted pictures up to this size are shown in the conversation, as people expect of a chat. */
const THUMBNAIL_MAX_BYTES = 2 * 1024 * 1024;

/** The intake's safe name ends with the extension of the type it detected. */
function isPicture(name: string): boolean {
  return /\.(png|jpe?g|gif|webp)$/i.test(name);
}

function showThumbnail(item: HTMLElement, path: string, name: string): void {
  downloadUpload(path).then(
    (blob) => {
      if (!blob.type.startsWith('image/') || !item.isConnected) return;
      const url = URL.createObjectURL(blob);
      const img = h('img', { class: 'thumbnail', src: url, alt: `Picture: ${name}` });
      // The URL lives as long as the picture is on screen.
      img.addEventListener('load', () => URL.revokeObjectURL(url), { once: true });
      item.prepend(img);
    },
    // The Download button stays, and reports errors when the reader asks.
    () => undefined,
  );
}

/**
 * One attachment of a sent message: its name, the intake's verdict (heard as soon as it is written, while the page is shown) and,
 * once accepted, a download through the downloadFile function with the reader's token. The name
 * in the message is the sender's free text; once the intake has answered, the name shown and
 * saved is the one it made (no control or bidi characters, an extension matching the bytes).
 */
export function sentAttachment(
  attachment: AttachmentRef,
  folderUid: string,
  signal: AbortSignal,
): HTMLElement {
  let name = safeFileName(attachment.name);
  const status = h('span', { class: 'attachment-status', role: 'status', 'aria-live': 'polite' });
  const label = h('span', { class: 'attachment-name' }, name);
  const download = h(
    'button',
    { type: 'button', class: 'secondary', hidden: true, 'aria-label': `Download ${name}` },
    'Download',
  );
  const item = h('li', { class: 'attachment' }, label, status, download);
  const show = (state: AttachmentState): void => {
    status.textContent = statusText(state);
    item.dataset.state = state.phase === 'checked' ? state.record.status : state.phase;
  };
  show({ phase: 'checking' });

  let path = '';
  waitForIntake(attachment.id, signal, () => show({ phase: 'slow' })).then(
    (record) => {
      if (!record) return;
      show({ phase: 'checked', record });
      if (record.safeName) {
        name = record.safeName;
        label.textContent = name;
        download.setAttribute('aria-label', `Download ${name}`);
      }
      // The record names where the bytes are; only this conversation's folder is trusted.
      if (record.status === 'accepted' && record.path.startsWith(`uploads/${folderUid}/${attachment.id}/`)) {
        path = record.path;
        download.hidden = false;
        if (isPicture(name) && record.size <= THUMBNAIL_MAX_BYTES) showThumbnail(item, path, name);
      }
    },
    (error: unknown) => {
      status.textContent = describeError(error);
    },
  );

  // Cancel while it runs; after a failure the reason and Try again (ui/download-panel.ts). Made
  // on the first click, when the intake's name is known.
  let transfer: ReturnType<typeof downloadPanel> | undefined;
  download.addEventListener('click', () => {
    transfer ??= downloadPanel({
      what: name,
      trigger: download,
      showProgress: false,
      status,
      download: (options) => downloadUpload(path, options),
      done: (blob) => {
        saveFile(blob, name);
        return 'Accepted · downloaded';
      },
    });
    if (!transfer.element.isConnected) item.append(transfer.element);
    transfer.start();
  });
  return item;
}
