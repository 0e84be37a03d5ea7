import { markShown } from '../app/session.js';
import { canAnswerMessages } from '../data/staff-session.js';
import type { User } from '../firebase/auth.js';
import { h, mount } from '../ui/dom.js';
import { describeError } from '../ui/errors.js';

/**
 * The home page's way into messages: "Messages" for every member, "Staff inbox" for staff signed
 * in with a second factor. Both views load on demand, keeping the home page small.
 */
export function messagesEntry(user: User, status: HTMLElement, back: () => void): HTMLElement {
  const open = async (load: () => Promise<HTMLElement>): Promise<void> => {
    status.textContent = 'Opening…';
    try {
      const view = await load();
      markShown(user);
      mount(view);
    } catch (error) {
      status.textContent = describeError(error);
    }
  };
  const messages = h('button', { type: 'button' }, 'Messages');
  messages.addEventListener(
    'click',
    () => void open(async () => (await import('./messages.js')).messagesView(user, back)),
  );
  const inbox = h('button', { type: 'button', hidden: true }, 'Staff inbox');
  inbox.addEventListener(
    'click',
    () => void open(async () => (await import('./inbox.js')).inboxView(user, back)),
  );
  canAnswerMessages(user).then(
    (staff) => {
      inbox.hidden = !staff;
    },
    () => undefined,
  );
  return h('div', { class: 'stack' }, messages, inbox);
}
