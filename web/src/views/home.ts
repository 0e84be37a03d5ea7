import { markShown } from '../app/session.js';
import { loadProfile } from '../data/profile.js';
import { signOut, type User } from '../firebase/auth.js';
import { h, mount, statusRegion } from '../ui/dom.js';
import { describeError } from '../ui/errors.js';
import { chooseUsernameForm } from './choose-username.js';
import { messagesEntry } from './messages-entry.js';
import { premiumNav } from './premium-nav.js';

/** Signed-in home for verified members: the welcome, read from their profile. */
export function homeView(user: User): HTMLElement {
  const status = statusRegion();
  const heading = h('h1', {}, 'Welcome back!');
  loadProfile(user.uid).then(
    (profile) => {
      if (profile) heading.textContent = `Welcome back, ${profile.username}!`;
      else
        heading.after(
          chooseUsernameForm(user.uid, (username) => {
            heading.textContent = `Welcome back, ${username}!`;
          }),
        );
    },
    (error: unknown) => {
      status.textContent = describeError(error);
    },
  );

  const openAccount = async (): Promise<void> => {
    status.textContent = 'Opening…';
    try {
      const { accountView } = await import('./account.js');
      markShown(user);
      mount(accountView(user, () => mount(homeView(user))));
    } catch (error) {
      status.textContent = describeError(error);
    }
  };

  return h(
    'section',
    { class: 'card' },
    heading,
    h('p', {}, `Signed in as ${user.email ?? 'member'}.`),
    premiumNav(user, () => homeView(user), status),
    messagesEntry(user, status, () => mount(homeView(user))),
    h('button', { type: 'button', onclick: () => void openAccount() }, 'Account settings'),
    h('button', { type: 'button', class: 'secondary', onclick: () => void signOut() }, 'Sign out'),
    status,
  );
}
