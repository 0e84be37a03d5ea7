import { listThreads, markThreadRead, memberName, sendAsStaff } from '../data/messages.js';
import { isUnreadForStaff, type ThreadSummary } from '../data/thread-summary.js';
import type { User } from '../firebase/auth.js';
import { h, mount, statusRegion } from '../ui/dom.js';
import { describeError } from '../ui/errors.js';
import { pollWhileShown } from '../ui/poll.js';
import { conversationPanel } from './messages-conversation.js';

// Staff side of member messages: the inbox and one conversation at a time. Loaded on demand.

const INBOX_POLL_MS = 10_000;
const timeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

function staffConversationView(
  staff: User,
  thread: ThreadSummary,
  name: string,
  back: () => void,
): HTMLElement {
  const status = statusRegion();
  const markRead = (): void => {
    markThreadRead(thread.uid).catch((error: unknown) => {
      status.textContent = describeError(error);
    });
  };
  markRead();
  return h(
    'section',
    { class: 'card', 'aria-labelledby': 'conversation-heading' },
    h('h1', { id: 'conversation-heading' }, `Conversation with ${name}`),
    h('button', { type: 'button', class: 'secondary', onclick: back }, 'Back to inbox'),
    status,
    conversationPanel({
      threadUid: thread.uid,
      reader: { uid: staff.uid, role: 'staff' },
      otherName: name,
      send: (text, attachments) => sendAsStaff(thread.uid, staff.uid, text, attachments),
      onIncoming: markRead,
    }),
  );
}

export function inboxView(staff: User, back: () => void): HTMLElement {
  const status = statusRegion();
  const list = h('ul', { class: 'inbox', 'aria-label': 'Conversations' });
  const names = new Map<string, string>();
  const view = h(
    'section',
    { class: 'card', 'aria-labelledby': 'inbox-heading' },
    h('h1', { id: 'inbox-heading' }, 'Staff inbox'),
    h('p', {}, 'Conversations with members, most recent first.'),
    h('button', { type: 'button', class: 'secondary', onclick: back }, 'Back'),
    list,
    status,
  );

  const reopen = (): void => mount(inboxView(staff, back));

  const row = (thread: ThreadSummary, name: string): HTMLElement => {
    const unread = isUnreadForStaff(thread);
    const open = h(
      'button',
      { type: 'button', class: `thread${unread ? ' unread' : ''}` },
      h('span', { class: 'thread-name' }, name),
      unread ? h('span', { class: 'badge' }, 'Unread') : null,
      h(
        'span',
        { class: 'thread-meta' },
        `${thread.lastAuthor === 'member' ? 'Member wrote' : 'Staff replied'} · ${timeFormat.format(thread.lastMessageAt)}`,
      ),
    );
    open.addEventListener('click', () => mount(staffConversationView(staff, thread, name, reopen)));
    return h('li', {}, open);
  };

  const refresh = async (): Promise<void> => {
    const threads = await listThreads();
    await Promise.all(
      threads
        .filter((t) => !names.has(t.uid))
        .map(async (t) => {
          names.set(t.uid, await memberName(t.uid));
        }),
    );
    list.replaceChildren(...threads.map((t) => row(t, names.get(t.uid) ?? t.uid)));
    status.textContent = threads.length === 0 ? 'No conversations yet.' : '';
  };

  status.textContent = 'Loading conversations…';
  pollWhileShown(view, INBOX_POLL_MS, refresh, (error) => {
    status.textContent = describeError(error);
  });
  return view;
}
