import { markThreadRead, sendAsStaff, watchThreads } from '../data/messages.js';
import { memberName } from '../data/member-name.js';
import { isUnreadForStaff, type ThreadSummary } from '../data/thread-summary.js';
import type { PageContext } from '../app/page.js';
import { canAnswerMessages } from '../data/staff-session.js';
import { h, statusRegion } from '../ui/dom.js';
import { describeError } from '../ui/errors.js';
import { stopWith } from '../ui/lifetime.js';
import { conversationPanel } from './messages-conversation.js';

// Staff side of member messages: the inbox and one conversation at a time. Loaded on demand.

const timeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

const NEEDS_SECOND_FACTOR =
  'Answering members needs a sign-in with your second factor. Sign out and sign in again with it.';

/**
 * The list of conversations, newest first, live while the page is shown. `current` marks the open
 * one when the list sits beside it.
 */
function threadList(signal: AbortSignal, current?: string): { list: HTMLElement; status: HTMLElement } {
  const status = statusRegion();
  const list = h('ul', { class: 'inbox', 'aria-label': 'Conversations' });
  const names = new Map<string, string>();

  const row = (thread: ThreadSummary, name: string): HTMLElement => {
    const unread = isUnreadForStaff(thread);
    const open = h(
      'a',
      {
        href: `/staff/inbox/${encodeURIComponent(thread.uid)}`,
        class: `thread${unread ? ' unread' : ''}`,
        'aria-current': thread.uid === current ? 'page' : undefined,
      },
      h('span', { class: 'thread-name' }, name),
      unread ? h('span', { class: 'badge' }, 'Unread') : null,
      h(
        'span',
        { class: 'thread-meta' },
        `${thread.lastAuthor === 'member' ? 'Member wrote' : 'Staff replied'} · ${timeFormat.format(thread.lastMessageAt)}`,
      ),
    );
    return h('li', {}, open);
  };

  // Snapshots can come faster than names are read: only the latest one is drawn.
  let latest = 0;
  const draw = async (threads: ThreadSummary[]): Promise<void> => {
    const turn = ++latest;
    await Promise.all(
      threads
        .filter((t) => !names.has(t.uid))
        .map(async (t) => {
          names.set(t.uid, await memberName(t.uid));
        }),
    );
    if (turn !== latest) return;
    // Redrawn under the reader: focus stays on the conversation it was on.
    const focused = list.contains(document.activeElement)
      ? document.activeElement?.getAttribute('href')
      : null;
    list.replaceChildren(...threads.map((t) => row(t, names.get(t.uid) ?? t.uid)));
    if (focused) list.querySelector<HTMLElement>(`a[href="${CSS.escape(focused)}"]`)?.focus();
    status.textContent = threads.length === 0 ? 'No conversations yet.' : '';
  };

  status.textContent = 'Loading conversations…';
  const stop = watchThreads(
    (threads) => void draw(threads),
    (error) => {
      status.textContent = describeError(error);
    },
  );
  stopWith(signal, stop);
  return { list, status };
}

/** One member's conversation, at /staff/inbox/<member uid>; on a wide screen the inbox sits beside it. */
export async function staffConversationPage(ctx: PageContext): Promise<HTMLElement> {
  const staff = ctx.user!;
  const uid = ctx.params.uid!;
  const status = statusRegion();
  const heading = h('h1', { id: 'conversation-heading' }, 'Conversation');
  const section = h(
    'section',
    { class: 'card', 'aria-labelledby': 'conversation-heading' },
    heading,
    h('p', {}, h('a', { href: '/staff/inbox' }, 'All conversations')),
    status,
  );
  if (!(await canAnswerMessages(staff))) {
    status.textContent = NEEDS_SECOND_FACTOR;
    return section;
  }
  const name = await memberName(uid);
  heading.textContent = `Conversation with ${name}`;
  ctx.setTitle(`Conversation with ${name}`);
  const markRead = (): void => {
    markThreadRead(uid).catch((error: unknown) => {
      status.textContent = describeError(error);
    });
  };
  markRead();
  section.append(
    conversationPanel({
      threadUid: uid,
      reader: { uid: staff.uid, role: 'staff' },
      otherName: name,
      send: (text, attachments) => sendAsStaff(uid, staff.uid, text, attachments),
      onIncoming: markRead,
      signal: ctx.signal,
    }),
  );
  const inbox = threadList(ctx.signal, uid);
  const aside = h(
    'aside',
    { class: 'card inbox-aside', 'aria-labelledby': 'aside-heading' },
    h('h2', { id: 'aside-heading' }, 'Staff inbox'),
    inbox.list,
    inbox.status,
  );
  // The conversation comes first, in the document and on screen: it is what the page is about.
  return h('div', { class: 'split wide' }, section, aside);
}

export async function inboxPage(ctx: PageContext): Promise<HTMLElement> {
  const staff = ctx.user!;
  const view = h(
    'section',
    { class: 'card', 'aria-labelledby': 'inbox-heading' },
    h('h1', { id: 'inbox-heading' }, 'Staff inbox'),
    h('p', {}, 'Conversations with members, most recent first.'),
  );
  if (!(await canAnswerMessages(staff))) {
    view.append(h('p', { role: 'status' }, NEEDS_SECOND_FACTOR));
    return view;
  }
  const inbox = threadList(ctx.signal);
  view.append(inbox.list, inbox.status);
  return view;
}
