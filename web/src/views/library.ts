import { type ContentItem, fileName, formatSize, listContent } from '../data/library.js';
import { describeAccess, type PremiumAccess, redeem, refreshAccess } from '../data/premium.js';
import type { PageContext } from '../app/page.js';
import { downloadBlob, downloadChecked } from '../firebase/downloads.js';
import { field, formValue, h, statusRegion } from '../ui/dom.js';
import { describeError } from '../ui/errors.js';
import { downloadPanel } from '../ui/download-panel.js';
import { onSubmit } from '../ui/form.js';
import { icon, type IconName } from '../ui/icons.js';

const KIND_LABEL: Record<ContentItem['kind'], string> = {
  video: 'Video',
  pdf: 'PDF',
  image: 'Image',
  text: 'Text',
  zip: 'Zip archive',
};

const KIND_ICON: Record<ContentItem['kind'], IconName> = {
  video: 'video',
  pdf: 'pdf',
  image: 'image',
  text: 'text',
  zip: 'zip',
};

/** Images up to this size are fetched for their thumbnail when the library opens. */
const THUMBNAIL_MAX_BYTES = 2 * 1024 * 1024;

function isDenied(error: unknown): boolean {
  const code = error && typeof error === 'object' && 'code' in error ? error.code : undefined;
  return code === 'storage/unauthorized' || code === 'download/permission-denied';
}

/**
 * The library: free items for every member, premium items locked until the token carries an
 * active premium claim. Loaded on demand (dynamic import) so the sign-in page stays small.
 */
// Object URLs of the last visit's downloads, released when the library is opened again.
const lastVisitUrls: string[] = [];

export function libraryPage(ctx: PageContext): HTMLElement {
  const user = ctx.user!;
  for (const url of lastVisitUrls.splice(0)) URL.revokeObjectURL(url);
  const objectUrls = lastVisitUrls;
  const accessLine = h('p', { class: 'access-line' });
  const list = h('ul', { class: 'library-list', 'aria-label': 'Library items' });
  const pageStatus = statusRegion();
  let items: ContentItem[] = [];
  let access: PremiumAccess = { active: false, until: null, expired: false };

  const codeForm = h(
    'form',
    { class: 'redeem-form', 'aria-labelledby': 'redeem-heading' },
    h('h2', { id: 'redeem-heading' }, 'Redeem a code'),
    field('Access code', { name: 'code', type: 'text', autocomplete: 'off', maxlength: '64' }),
    h('button', { type: 'submit' }, 'Redeem'),
  );
  const redeemStatus = statusRegion();
  codeForm.append(redeemStatus);
  onSubmit(codeForm, redeemStatus, 'Redeeming…', async () => {
    access = await redeem(user, formValue(codeForm, 'code'));
    codeForm.reset();
    render();
    return `Code accepted. ${describeAccess(access)}`;
  });

  const focusCode = (): void => {
    codeForm.querySelector('input')?.focus();
    codeForm.scrollIntoView({ block: 'nearest' });
  };

  function render(): void {
    accessLine.textContent = describeAccess(access);
    codeForm.hidden = access.active && access.until === null;
    list.replaceChildren(...items.map(itemView));
  }

  function itemView(item: ContentItem): HTMLElement {
    const headingId = `item-${item.id}`;
    const locked = item.tier === 'premium' && !access.active;
    const meta = `${KIND_LABEL[item.kind]} · ${formatSize(item.size)} · ${item.tier === 'premium' ? 'Premium' : 'Free'}`;
    const output = h('div', { class: 'item-output' });

    const action = locked
      ? h('button', { type: 'button', class: 'secondary', onclick: focusCode }, 'Redeem a code to unlock')
      : h('button', { type: 'button' }, item.kind === 'video' ? 'Play video' : 'Download');
    const transfer = locked ? null : itemDownload(item, action, output);
    if (transfer) action.addEventListener('click', transfer.start);

    return h(
      'li',
      { class: locked ? 'library-item locked' : 'library-item' },
      h(
        'article',
        { 'aria-labelledby': headingId },
        preview(item, locked),
        h(
          'div',
          { class: 'item-body' },
          h(
            'h2',
            { id: headingId },
            locked ? icon('lock', 'icon lock') : null,
            item.title,
            locked ? h('span', { class: 'visually-hidden' }, ' (locked)') : null,
          ),
          h('p', {}, item.description),
          h('p', { class: 'meta' }, meta),
          action,
          transfer?.element,
          output,
        ),
      ),
    );
  }

  /** A picture of the item: the image itself when it is small and open to the member, else its kind's icon. */
  function preview(item: ContentItem, locked: boolean): HTMLElement {
    const box = h('div', { class: `preview kind-${item.kind}` }, icon(KIND_ICON[item.kind], 'icon kind'));
    if (item.kind === 'image' && !locked && item.size <= THUMBNAIL_MAX_BYTES) {
      const download = item.tier === 'premium' ? downloadChecked : downloadBlob;
      download(item.storagePath).then(
        (blob) => {
          if (!blob.type.startsWith('image/')) return;
          const url = URL.createObjectURL(blob);
          objectUrls.push(url);
          // The description says what the picture shows; here it only repeats the item, so it is decorative.
          box.replaceChildren(h('img', { src: url, alt: '' }));
        },
        // The icon stays; the item's own Download button reports errors when the member asks.
        () => undefined,
      );
    }
    return box;
  }

  /** Download with progress, Cancel, and Try again after a failure (ui/download-panel.ts). */
  function itemDownload(item: ContentItem, button: HTMLButtonElement, output: HTMLElement) {
    return downloadPanel({
      what: item.title,
      trigger: button,
      // Premium bytes come through the function that checks the member's premium now.
      download: (options) =>
        item.tier === 'premium'
          ? downloadChecked(item.storagePath, options)
          : downloadBlob(item.storagePath, options),
      done: (blob) => {
        const url = URL.createObjectURL(blob);
        objectUrls.push(url);
        output.replaceChildren(present(item, blob, url));
        return item.kind === 'video' ? 'Ready to play.' : `Downloaded ${fileName(item)}.`;
      },
      handled: async (error) => {
        if (!(isDenied(error) && item.tier === 'premium')) return false;
        // No active premium any more: revoked or expired. Show it as locked.
        access = await refreshAccess(user);
        render();
        pageStatus.textContent = `You no longer have access to ${item.title}. ${describeAccess(access)}`;
        return true;
      },
    });
  }

  function present(item: ContentItem, blob: Blob, url: string): HTMLElement {
    if (item.kind === 'video') {
      const video = h('video', { controls: true, preload: 'metadata', src: url, playsinline: true });
      video.setAttribute('aria-label', item.title);
      return video;
    }
    const save = h('a', { href: url, download: fileName(item) }, `Save ${fileName(item)}`);
    if (item.kind === 'image' && blob.type.startsWith('image/')) {
      return h('figure', {}, h('img', { src: url, alt: item.description || item.title }), save);
    }
    // Hand the file to the browser's download manager straight away, as a "Download" button promises.
    queueMicrotask(() => save.click());
    return h('p', {}, save);
  }

  const section = h(
    'section',
    { class: 'card library wide', 'aria-labelledby': 'library-heading' },
    h('h1', { id: 'library-heading' }, 'Library'),
    accessLine,
    pageStatus,
    list,
    codeForm,
  );

  pageStatus.textContent = 'Loading the library…';
  // A fresh token first: a grant or revocation since sign-in must show here, not at the next hourly refresh.
  Promise.all([refreshAccess(user), listContent()]).then(
    ([fresh, loaded]) => {
      access = fresh;
      items = loaded;
      render();
      pageStatus.textContent = items.length === 0 ? 'The library is empty.' : '';
    },
    (error: unknown) => {
      pageStatus.textContent = describeError(error);
    },
  );
  return section;
}
