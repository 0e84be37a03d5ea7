import type { AttachmentRef } from '../data/compose.js';
import { type Message, MessageError, type Sending, watchMessages } from '../data/messages.js';
import { h, statusRegion } from '../ui/dom.js';
import { describeError } from '../ui/errors.js';
import { stopWith } from '../ui/lifetime.js';
import { sentAttachment } from './messages-attachment.js';
import { messageComposer } from './messages-composer.js';

export interface ConversationOptions {
  /** The member whose conversation this is. */
  threadUid: string;
  /** Who is reading: the member, or a member of staff. */
  reader: { uid: string; role: 'member' | 'staff' };
  /** How the other side's messages are signed. */
  otherName: string;
  send(text: string, attachments: AttachmentRef[]): Promise<Sending>;
  /** Called when messages from the other side arrive while the conversation is open. */
  onIncoming?: () => void;
  /** The page's lifetime: the listener stops when it aborts. */
  signal: AbortSignal;
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

/** The end of the meta line: when it was sent, or that it is still on its way. */
function sentOrPending(message: Message): HTMLElement {
  return message.pending
    ? h('span', { class: 'pending-note' }, 'Sending…')
    : h('time', { datetime: message.sentAt.toISOString() }, timeFormat.format(message.sentAt));
}

function messageItem(message: Message, options: ConversationOptions): HTMLElement {
  // Bubbles sit by side: the reader's side (their own and their colleagues' messages) on the right.
  const ours = message.author === options.reader.role;
  return h(
    'li',
    { class: `message ${ours ? 'ours' : 'theirs'}`, 'data-author': message.author },
    h('p', { class: 'meta' }, h('strong', {}, signature(message, options)), ' · ', sentOrPending(message)),
    message.text ? h('p', { class: 'text' }, message.text) : null,
    message.attachments.length > 0
      ? h(
          'ul',
          { class: 'attachments', 'aria-label': 'Attached files' },
          ...message.attachments.map((a) => sentAttachment(a, options.threadUid, options.signal)),
        )
      : null,
  );
}

/** A message already shown was delivered (or its time corrected by the server's). */
function updateItem(item: HTMLElement, message: Message): void {
  const pending = item.dataset.pending === 'true';
  if (pending === message.pending) return;
  item.dataset.pending = String(message.pending);
  item.classList.toggle('pending', message.pending);
  item.querySelector('.meta')?.lastElementChild?.replaceWith(sentOrPending(message));
}

/**
 * A conversation: its messages, live while the page is shown (a listener, stopped with the page),
 * and the composer. Used by the member's page and by staff answering. A message sent here shows
 * at once, marked "Sending…" until the server has it (offline: until the network returns).
 */
export function conversationPanel(options: ConversationOptions): HTMLElement {
  const list = h('ol', { class: 'messages', 'aria-label': 'Messages' });
  const empty = h('p', { class: 'hint' }, 'No messages yet.');
  // New arrivals are announced once, rather than making the whole list a live region.
  const announcer = statusRegion();
  const items = new Map<string, HTMLElement>();
  // Messages read before the server first answered are history, not news.
  let heardFromServer = false;

  const panel = h(
    'div',
    { class: 'stack conversation' },
    empty,
    list,
    announcer,
    messageComposer({
      folderUid: options.threadUid,
      signal: options.signal,
      idPrefix: `message-${options.reader.role}`,
      send: options.send,
      describe: describeSendError,
    }),
  );

  const show = (messages: Message[]): Message[] => {
    const fresh: Message[] = [];
    messages.forEach((message, index) => {
      let item = items.get(message.id);
      if (item) updateItem(item, message);
      else {
        item = messageItem(message, options);
        item.dataset.pending = String(message.pending);
        item.classList.toggle('pending', message.pending);
        items.set(message.id, item);
        fresh.push(message);
      }
      // Moved only when out of place, so focus inside a message (a Download button) stays.
      const here = list.children[index];
      if (here !== item) list.insertBefore(item, here ?? null);
    });
    // Gone: a refused message rolled back by the SDK, or one older than the history shown.
    const kept = new Set(messages.map((m) => m.id));
    for (const [id, item] of items) {
      if (!kept.has(id)) {
        item.remove();
        items.delete(id);
      }
    }
    empty.hidden = messages.length > 0;
    return fresh;
  };

  const stop = watchMessages(
    options.threadUid,
    ({ messages, fromCache }) => {
      const fresh = show(messages);
      const incoming = fresh.filter((m) => m.uid !== options.reader.uid);
      if (heardFromServer && incoming.length > 0) {
        announcer.textContent = `New message from ${signature(incoming.at(-1)!, options)}.`;
        options.onIncoming?.();
      }
      if (fresh.length > 0) list.lastElementChild?.scrollIntoView({ block: 'nearest' });
      heardFromServer ||= !fromCache;
    },
    (error) => {
      announcer.textContent = describeError(error);
    },
  );
  stopWith(options.signal, stop);
  return panel;
}
