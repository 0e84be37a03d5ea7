import type { PageContext } from '../app/page.js';
import { loadProfile } from '../data/profile.js';
import { isUnreadForMember, type ThreadSummary } from '../data/thread-summary.js';
import { h, statusRegion } from '../ui/dom.js';
import { describeError } from '../ui/errors.js';
import { stopWith } from '../ui/lifetime.js';
import { chooseUsernameForm } from './choose-username.js';

/**
 * "The company replied since you last looked", live: it appears when staff reply and goes when
 * the member has read it (here or in another tab). The full Firestore SDK it needs is loaded after
 * the page shows, so the greeting never waits for it; if it cannot load, the page simply has no mark.
 */
function watchUnreadMark(card: HTMLElement, heading: HTMLElement, uid: string, signal: AbortSignal): void {
  const messagesLink = card.querySelector<HTMLAnchorElement>('a[href="/messages"]');
  const space = document.createTextNode(' ');
  const badge = h('span', { class: 'badge' }, 'New reply');
  const notice = h(
    'p',
    { class: 'notice' },
    'The company replied since you last looked. ',
    h('a', { href: '/messages' }, 'Read the reply'),
    '.',
  );
  const show = (thread: ThreadSummary | null): void => {
    const unread = !!thread && isUnreadForMember(thread);
    messagesLink?.closest('li')?.classList.toggle('unread', unread);
    if (!unread) {
      space.remove();
      badge.remove();
      notice.remove();
    } else if (!notice.isConnected) {
      messagesLink?.after(space, badge);
      heading.after(notice);
    }
  };
  import('../data/messages.js').then(
    ({ watchOwnThread }) => {
      if (signal.aborted) return;
      stopWith(
        signal,
        watchOwnThread(uid, show, () => undefined),
      );
    },
    () => undefined,
  );
}

/**
 * Home for verified members: the welcome, read from their profile before the page shows, so the
 * greeting never flashes without the name.
 */
export async function homePage(ctx: PageContext): Promise<HTMLElement> {
  const user = ctx.user!;
  const status = statusRegion();
  const heading = h('h1', {}, 'Welcome back!');
  const card = h(
    'section',
    { class: 'card', 'aria-labelledby': 'home-heading' },
    heading,
    h('p', {}, `Signed in as ${user.email ?? 'member'}.`),
    h(
      'ul',
      { class: 'home-links' },
      h('li', {}, h('a', { href: '/library' }, 'Open the library'), ' — guides, videos and premium content.'),
      h('li', {}, h('a', { href: '/messages' }, 'Write to the company'), ' — questions, files and replies.'),
    ),
    status,
  );
  heading.id = 'home-heading';
  try {
    const profile = await loadProfile(user.uid);
    if (profile) heading.textContent = `Welcome back, ${profile.username}!`;
    else
      heading.after(
        chooseUsernameForm(user.uid, (username) => {
          heading.textContent = `Welcome back, ${username}!`;
        }),
      );
  } catch (error) {
    status.textContent = describeError(error);
  }
  watchUnreadMark(card, heading, user.uid, ctx.signal);
  return card;
}
