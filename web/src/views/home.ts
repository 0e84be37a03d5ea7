import { signOut, type User } from '../firebase/auth.js';
import { whoami } from '../firebase/functions.js';
import { h, statusRegion } from '../ui/dom.js';
import { describeError } from '../ui/errors.js';

/** Signed-in home: proves the Auth → Functions path end to end. */
export function homeView(user: User): HTMLElement {
  const status = statusRegion();
  const check = h('button', { type: 'button' }, 'Ask the server who I am');
  check.addEventListener('click', async () => {
    status.textContent = 'Asking…';
    try {
      const me = await whoami();
      status.textContent = `The server sees ${me.email ?? me.uid} (${me.emailVerified ? 'verified' : 'not verified yet'}).`;
    } catch (error) {
      status.textContent = describeError(error);
    }
  });
  return h(
    'section',
    { class: 'card' },
    h('h1', {}, `Signed in as ${user.email ?? 'member'}`),
    check,
    h('button', { type: 'button', class: 'secondary', onclick: () => void signOut() }, 'Sign out'),
    status,
  );
}
