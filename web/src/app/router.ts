import { currentUser, reloadUser, signOut, type User, watchIdToken } from '../firebase/auth.js';
import { h, mount } from '../ui/dom.js';
import { describeError } from '../ui/errors.js';
import { navBar } from '../ui/nav.js';
import type { PageContext } from './page.js';
import { loadPage, type PageName } from './pages.js';
import { decide, matchRoute, type SessionFacts } from './routes.js';
import { freshenToken } from './token-freshness.js';

/**
 * The only module that reads or changes the address. It draws the page for the current path and
 * session, and draws again when either changes: a link or navigate() (pushState), Back/Forward
 * (popstate), a sign-in or sign-out (here or in another tab), or an account change elsewhere.
 */

const APP_NAME = 'Member Portal';
/** Tells this app's other tabs that the account changed (verified, email changed). */
const CHANNEL = 'member-portal-session';

let drawing = 0;
let holds = 0;
let shownSession = '';
let drawnOnce = false;
/** Ends with the page shown: its listeners stop when another page (or a redraw) replaces it. */
let pageLife: AbortController | undefined;
let channel: BroadcastChannel | undefined;

interface HistoryState {
  notice?: string;
}

export async function startRouter(): Promise<void> {
  document.addEventListener('click', followLink);
  window.addEventListener('popstate', () => void draw());
  // The member may have verified or changed their email elsewhere while this tab was away.
  window.addEventListener('focus', () => void recheck());
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') void recheck();
  });
  if (typeof BroadcastChannel !== 'undefined') {
    channel = new BroadcastChannel(CHANNEL);
    channel.addEventListener('message', () => void recheck());
  }
  await freshen(currentUser());
  watchIdToken(() => void sessionChanged());
  await draw();
}

export function navigate(path: string, options: { replace?: boolean; notice?: string } = {}): void {
  const state: HistoryState = options.notice ? { notice: options.notice } : {};
  if (options.replace) history.replaceState(state, '', path);
  else history.pushState(state, '', path);
  void draw();
}

/** After this tab changed the account (an email link applied here), the other tabs look again. */
function announceAccountChange(): void {
  channel?.postMessage('account-changed');
}

async function recheck(): Promise<void> {
  if (await freshen(currentUser())) await sessionChanged();
}

/** Refreshes the token if the account record says more; true when it did. */
async function freshen(user: User | null): Promise<boolean> {
  if (!user) return false;
  try {
    return await freshenToken(
      user,
      () => reloadUser(user),
      // Loaded on demand: Firestore is not part of what a signed-out visitor downloads.
      async () => (await import('../data/claim-changes.js')).loadClaimsChangedAt(user.uid),
    );
  } catch {
    // Offline or the account is gone: the page works with what it has, and Auth reports the rest.
    return false;
  }
}

async function sessionChanged(): Promise<void> {
  if (holds > 0) return;
  const user = currentUser();
  const facts = await sessionFacts(user);
  const key = sessionKey(user, facts);
  if (key === shownSession) return;
  // The email-link page changes the session itself and must not apply its code twice: it stays,
  // with the navigation updated, until the member continues.
  if (matchRoute(location.pathname, location.search).route.name === 'action') {
    shownSession = key;
    showNav(facts, location.pathname);
    return;
  }
  await draw();
}

async function hold<T>(work: () => Promise<T>): Promise<T> {
  holds += 1;
  try {
    return await work();
  } finally {
    holds -= 1;
    await sessionChanged();
  }
}

async function sessionFacts(user: User | null): Promise<SessionFacts> {
  if (!user) return { signedIn: false, verified: false, staffClaim: false };
  let staffClaim = false;
  try {
    staffClaim = (await user.getIdTokenResult()).claims.staff === true;
  } catch {
    // Without a token the claim is unknown; the pages and the rules check it again anyway.
  }
  return { signedIn: true, verified: user.emailVerified, staffClaim };
}

/** What decides which page shows: a change of it redraws, a mere token refresh does not. */
function sessionKey(user: User | null, facts: SessionFacts): string {
  return `${user?.uid ?? ''}:${facts.verified}:${facts.staffClaim}`;
}

async function draw(): Promise<void> {
  const turn = ++drawing;
  pageLife?.abort();
  const life = new AbortController();
  pageLife = life;
  const user = currentUser();
  const facts = await sessionFacts(user);
  if (turn !== drawing) return;
  const url = new URL(window.location.href);
  const here = url.pathname + url.search;
  const match = matchRoute(url.pathname, url.search);
  const decision = decide(match.route, facts, here, url.searchParams.get('next'));
  if (!decision.show && 'redirect' in decision) {
    history.replaceState(history.state, '', decision.redirect);
    return draw();
  }
  shownSession = sessionKey(user, facts);
  const path = url.pathname;
  showNav(facts, path);
  const name: PageName = decision.show ? match.route.name : 'staff-refused';
  let title = decision.show ? match.route.title : 'Staff only';
  const ctx: PageContext = {
    user,
    params: match.params,
    query: url.searchParams,
    signal: life.signal,
    notice: (history.state as HistoryState | null)?.notice ?? '',
    navigate,
    refresh: () => void draw(),
    hold,
    accountChanged: announceAccountChange,
    setTitle: (text) => {
      title = text;
      if (turn === drawing) document.title = `${text} · ${APP_NAME}`;
    },
  };
  let element: HTMLElement;
  try {
    element = await (await loadPage(name))(ctx);
  } catch (error) {
    element = failedPage(error);
    title = 'Something went wrong';
  }
  if (turn !== drawing) return;
  mount(element);
  document.title = `${title} · ${APP_NAME}`;
  arrive(title);
}

function showNav(facts: SessionFacts, path: string): void {
  const slot = document.getElementById('site-nav');
  if (!slot) return;
  slot.replaceChildren(
    navBar({ ...facts, path }, () => {
      void signOut().then(() => navigate('/signin'));
    }),
  );
}

/** Focus goes to the new page's heading and the change is announced, as a new page load would be. */
function arrive(title: string): void {
  const first = !drawnOnce;
  drawnOnce = true;
  const announcer = document.getElementById('route-announcer');
  if (announcer) announcer.textContent = first ? '' : title;
  if (first) return;
  const target = document.querySelector<HTMLElement>('#app h1') ?? document.getElementById('app');
  if (!target) return;
  target.tabIndex = -1;
  target.focus({ preventScroll: false });
}

function failedPage(error: unknown): HTMLElement {
  const retry = h('button', { type: 'button', onclick: () => void draw() }, 'Try again');
  return h(
    'section',
    { class: 'card', 'aria-labelledby': 'failed-heading' },
    h('h1', { id: 'failed-heading' }, 'This page could not be opened'),
    h('p', {}, describeError(error)),
    retry,
  );
}

/** Same-origin links move within the app; new tabs, downloads and other sites work as links do. */
function followLink(event: MouseEvent): void {
  if (
    event.defaultPrevented ||
    event.button !== 0 ||
    event.metaKey ||
    event.ctrlKey ||
    event.shiftKey ||
    event.altKey
  )
    return;
  const link = (event.target as Element | null)?.closest?.('a');
  if (!link || link.target || link.hasAttribute('download')) return;
  const url = new URL(link.href, window.location.href);
  if (url.origin !== window.location.origin || url.pathname.startsWith('/api/')) return;
  event.preventDefault();
  // A link to the page shown draws it afresh, as a browser reloads it, without a new history entry.
  const same = url.pathname + url.search === window.location.pathname + window.location.search;
  navigate(url.pathname + url.search + url.hash, { replace: same });
}
