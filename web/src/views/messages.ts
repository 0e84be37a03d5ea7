import { markReadByMember, sendAsMember, watchOwnThread } from '../data/messages.js';
import { isUnreadForMember } from '../data/thread-summary.js';
import type { PageContext } from '../app/page.js';
import { h } from '../ui/dom.js';
import { stopWith } from '../ui/lifetime.js';
import { conversationPanel } from './messages-conversation.js';

/** The member's conversation with the company (its own chunk, with the full Firestore SDK). */
export function messagesPage(ctx: PageContext): HTMLElement {
  const user = ctx.user!;
  // Seen as soon as a reply shows here, so the home page's "New reply" clears. The thread is
  // watched too, which keeps it in the cache: a message sent offline reads its window from there.
  // A failed mark only leaves "New reply" on, so it is not worth an error on this page.
  // One mark at a time: until the server stamps it, the local estimate may still read as unread.
  let marking = false;
  const stop = watchOwnThread(
    user.uid,
    (thread) => {
      if (!thread || !isUnreadForMember(thread) || marking) return;
      marking = true;
      markReadByMember(user.uid)
        .catch(() => undefined)
        .finally(() => {
          marking = false;
        });
    },
    () => undefined,
  );
  stopWith(ctx.signal, stop);
  return h(
    'section',
    { class: 'card wide', 'aria-labelledby': 'messages-heading' },
    h('h1', { id: 'messages-heading' }, 'Messages with the company'),
    h(
      'p',
      {},
      'Ask us anything, and send images, PDFs, text files or ZIP archives. New replies appear here.',
    ),
    conversationPanel({
      threadUid: user.uid,
      reader: { uid: user.uid, role: 'member' },
      otherName: 'The company',
      send: (text, attachments) => sendAsMember(user.uid, text, attachments),
      signal: ctx.signal,
    }),
  );
}
