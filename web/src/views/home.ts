import type { PageContext } from '../app/page.js';
import { loadOwnThread } from '../data/messages.js';
import { loadProfile } from '../data/profile.js';
import { isUnreadForMember } from '../data/thread-summary.js';
import { h, statusRegion } from '../ui/dom.js';
import { describeError } from '../ui/errors.js';
import { chooseUsernameForm } from './choose-username.js';

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
  // The unread mark is a nicety: if it cannot be read, the page still shows.
  const thread = loadOwnThread(user.uid).catch(() => null);
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
  const summary = await thread;
  if (summary && isUnreadForMember(summary)) {
    const messagesLink = card.querySelector<HTMLAnchorElement>('a[href="/messages"]');
    messagesLink?.closest('li')?.classList.add('unread');
    messagesLink?.after(' ', h('span', { class: 'badge' }, 'New reply'));
    heading.after(
      h(
        'p',
        { class: 'notice' },
        'The company replied since you last looked. ',
        h('a', { href: '/messages' }, 'Read the reply'),
        '.',
      ),
    );
  }
  return card;
}
