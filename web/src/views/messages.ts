import { sendAsMember } from '../data/messages.js';
import type { User } from '../firebase/auth.js';
import { h } from '../ui/dom.js';
import { conversationPanel } from './messages-conversation.js';

/** The member's conversation with the company. Loaded on demand from the home page. */
export function messagesView(user: User, back: () => void): HTMLElement {
  return h(
    'section',
    { class: 'card', 'aria-labelledby': 'messages-heading' },
    h('h1', { id: 'messages-heading' }, 'Messages with the company'),
    h(
      'p',
      {},
      'Ask us anything, and send images, PDFs, text files or ZIP archives. New replies appear here.',
    ),
    h('button', { type: 'button', class: 'secondary', onclick: back }, 'Back'),
    conversationPanel({
      threadUid: user.uid,
      reader: { uid: user.uid, role: 'member' },
      otherName: 'The company',
      send: (text, attachments) => sendAsMember(user.uid, text, attachments),
    }),
  );
}
