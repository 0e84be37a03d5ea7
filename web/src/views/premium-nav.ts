import { markShown } from '../app/session.js';
import type { User } from '../firebase/auth.js';
import { h, mount } from '../ui/dom.js';
import { describeError } from '../ui/errors.js';

/**
 * The home page's way into the library and, for staff, the console. Both views are separate
 * chunks loaded on first use, so neither the sign-in page nor home carries the Storage SDK.
 */
export function premiumNav(user: User, home: () => HTMLElement, status: HTMLElement): HTMLElement {
  const back = (): void => mount(home());

  const openLibrary = async (): Promise<void> => {
    status.textContent = 'Opening the library…';
    try {
      const { libraryView } = await import('./library.js');
      markShown(user);
      mount(libraryView(user, back));
    } catch (error) {
      status.textContent = describeError(error);
    }
  };

  const openStaff = async (): Promise<void> => {
    status.textContent = 'Opening the staff console…';
    try {
      const { staffView } = await import('./staff.js');
      markShown(user);
      mount(staffView(user, back));
    } catch (error) {
      status.textContent = describeError(error);
    }
  };

  const staffButton = h(
    'button',
    { type: 'button', class: 'secondary', hidden: true, onclick: () => void openStaff() },
    'Staff console',
  );
  // Only a hint for the UI: the console itself, the functions and the rules check the claims again.
  void user.getIdTokenResult().then(
    (result) => {
      staffButton.hidden = result.claims.staff !== true;
    },
    () => undefined,
  );

  return h(
    'div',
    { class: 'premium-nav' },
    h('button', { type: 'button', onclick: () => void openLibrary() }, 'Library'),
    staffButton,
  );
}
