import type { AttachmentRef } from '../data/compose.js';
import { loadMessages, type Message, type MessageCursor, MessageError } from '../data/messages.js';
import { h, statusRegion } from '../ui/dom.js';
import { describeError } from '../ui/errors.js';
import { pollWhileShown } from '../ui/poll.js';
import { sentAttachment } from './messages-attachment.js';
import { messageComposer } from './messages-composer.js';

/** How often an open conversation asks for new messages. */
const POLL_MS = 3_000;

export interface ConversationOptions {
  /** The member whose conversation this is. */
  threadUid: string;
  /** Who is reading: the member, or a member of staff. */
  reader: { uid: string; role: 'member' | 'staff' };
  /** How the other side's messages are signed. */
  otherName: string;
  send(text: string, attachments: AttachmentRef[]): Promise<void>;
  /** Called when messages from the other side arrive while the conversation is open. */
  onIncoming?: () => void;
}

export function describeSendError(error: unknown): string {
  return error instanceof MessageError ? error.message : describeError(error);
}

const timeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

function signature(message: Message, options: ConversationOptions): string {
  if (message.uid === options.reader.uid) return 'You';
  if (options.reader.role === 'member') return message.author === 'staff' ? options.otherName : 'You';
  return message.author === 'member' ? options.otherName : 'Staff';
}

function messageItem(message: Message, options: ConversationOptions): HTMLElement {
  // Bubbles sit by side: the reader's side (their own and their colleagues' messages) on the right.
  const ours = message.author === options.reader.role;
  return h(
    'li',
    { class: `message ${ours ? 'ours' : 'theirs'}`, 'data-author': message.author },
    h(
      'p',
      { class: 'meta' },
      h('strong', {}, signature(message, options)),
      ' · ',
      h('time', { datetime: message.sentAt.toISOString() }, timeFormat.format(message.sentAt)),
    ),
    message.text ? h('p', { class: 'text' }, message.text) : null,
    message.attachments.length > 0
      ? h(
          'ul',
          { class: 'attachments', 'aria-label': 'Attached files' },
          ...message.attachments.map((a) => sentAttachment(a, options.threadUid)),
        )
      : null,
  );
}

/**
 * A conversation: its messages, refreshed every few seconds while it is on screen, and the
 * composer. Used by the member's page and by staff answering.
 */
export function conversationPanel(options: ConversationOptions): HTMLElement {
  const list = h('ol', { class: 'messages', 'aria-label': 'Messages' });
  const empty = h('p', { class: 'hint' }, 'No messages yet.');
  // New arrivals are announced once, rather than making the whole list a live region.
  const announcer = statusRegion();
  const seen = new Set<string>();
  let cursor: MessageCursor = null;
  let loaded = false;

  const panel = h(
    'div',
    { class: 'stack conversation' },
    empty,
    list,
    announcer,
    messageComposer({
      folderUid: options.threadUid,
      idPrefix: `message-${options.reader.role}`,
      send: async (text, attachments) => {
        await options.send(text, attachments);
        await refresh();
      },
      describe: describeSendError,
    }),
  );

  const refresh = async (): Promise<void> => {
    const page = await loadMessages(options.threadUid, cursor);
    cursor = page.cursor;
    const fresh = page.messages.filter((m) => !seen.has(m.id));
    for (const message of fresh) {
      seen.add(message.id);
      list.append(messageItem(message, options));
    }
    empty.hidden = seen.size > 0;
    const incoming = fresh.filter((m) => m.uid !== options.reader.uid);
    if (loaded && incoming.length > 0) {
      announcer.textContent = `New message from ${signature(incoming.at(-1)!, options)}.`;
      options.onIncoming?.();
    }
    if (fresh.length > 0) list.lastElementChild?.scrollIntoView({ block: 'nearest' });
    loaded = true;
  };

  pollWhileShown(panel, POLL_MS, refresh, (error) => {
    announcer.textContent = describeError(error);
  });
  return panel;
}
