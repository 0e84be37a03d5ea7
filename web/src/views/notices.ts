import type { PageContext } from '../app/page.js';
import { h } from '../ui/dom.js';

export function notFoundPage(ctx: PageContext): HTMLElement {
  return h(
    'section',
    { class: 'card', 'aria-labelledby': 'not-found-heading' },
    h('h1', { id: 'not-found-heading' }, 'Page not found'),
    h('p', {}, 'There is no page at this address. It may have moved, or the link may be mistyped.'),
    h('p', {}, h('a', { href: ctx.user ? '/' : '/signin' }, ctx.user ? 'Go to the home page' : 'Sign in')),
  );
}

/** Members without the staff claim who open a staff address (the rules would refuse them anyway). */
export function staffRefusedPage(): HTMLElement {
  return h(
    'section',
    { class: 'card', 'aria-labelledby': 'refused-heading' },
    h('h1', { id: 'refused-heading' }, 'Staff only'),
    h(
      'p',
      {},
      'This page is for company staff. If you work for the company, ask an administrator to give your account staff access, then sign in again.',
    ),
    h('p', {}, h('a', { href: '/' }, 'Go to the home page')),
  );
}
