import { h } from './dom.js';

export interface NavState {
  signedIn: boolean;
  verified: boolean;
  staffClaim: boolean;
  /** The path of the page shown, to mark its link as current. */
  path: string;
}

const MEMBER_LINKS: ReadonlyArray<[string, string]> = [
  ['/', 'Home'],
  ['/library', 'Library'],
  ['/messages', 'Messages'],
  ['/account', 'Account'],
];
const STAFF_LINKS: ReadonlyArray<[string, string]> = [
  ['/staff', 'Staff console'],
  ['/staff/inbox', 'Staff inbox'],
];
const VISITOR_LINKS: ReadonlyArray<[string, string]> = [
  ['/signin', 'Sign in'],
  ['/signup', 'Create an account'],
];

/**
 * The site's navigation bar, replacing per-page "Back" buttons. On a phone it folds behind a
 * "Menu" button (styles.css shows the list from a width on).
 */
export function navBar(state: NavState, onSignOut: () => void): HTMLElement {
  const links = !state.signedIn
    ? VISITOR_LINKS
    : state.verified
      ? [...MEMBER_LINKS, ...(state.staffClaim ? STAFF_LINKS : [])]
      : [];
  const current = (href: string): string | undefined =>
    href === state.path || (href !== '/' && href !== '/staff' && state.path.startsWith(`${href}/`))
      ? 'page'
      : undefined;
  const list = h(
    'ul',
    { id: 'nav-list', class: 'nav-list' },
    ...links.map(([href, label]) => h('li', {}, h('a', { href, 'aria-current': current(href) }, label))),
    state.signedIn
      ? h('li', {}, h('button', { type: 'button', class: 'link', onclick: onSignOut }, 'Sign out'))
      : null,
  );
  const toggle = h(
    'button',
    { type: 'button', class: 'nav-toggle', 'aria-expanded': 'false', 'aria-controls': 'nav-list' },
    'Menu',
  );
  toggle.addEventListener('click', () => {
    const open = toggle.getAttribute('aria-expanded') !== 'true';
    toggle.setAttribute('aria-expanded', String(open));
  });
  // Choosing a page closes the folded menu again.
  list.addEventListener('click', (event) => {
    if ((event.target as Element).closest('a')) toggle.setAttribute('aria-expanded', 'false');
  });
  return h('nav', { class: 'site-nav', 'aria-label': 'Main' }, toggle, list);
}
