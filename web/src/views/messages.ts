import { markReadByMember, sendAsMember } from '../data/messages.js';
import type { PageContext } from '../app/page.js';
import { h } from '../ui/dom.js';
import { conversationPanel } from './messages-conversation.js';

/** The member's conversation with the company (its own chunk). */
export function messagesPage(ctx: PageContext): HTMLElement {
  const user = ctx.user!;
  // Seen now, and again whenever a reply arrives while the page is open. A failed mark only
  // leaves the home page's "New reply" on, so it is not worth an error on this page.
  const markRead = (): void => void markReadByMember(user.uid).catch(() => undefined);
  markRead();
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
      onIncoming: markRead,
    }),
  );
}
