import { sendAsMember } from '../data/messages.js';
import type { PageContext } from '../app/page.js';
import { h } from '../ui/dom.js';
import { conversationPanel } from './messages-conversation.js';

/** The member's conversation with the company (its own chunk). */
export function messagesPage(ctx: PageContext): HTMLElement {
  const user = ctx.user!;
  return h(
    'section',
    { class: 'card', 'aria-labelledby': 'messages-heading' },
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
    }),
  );
}
