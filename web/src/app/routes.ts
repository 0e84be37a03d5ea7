/**
 * The one route table: every address of the app, who may see it and which page module draws it.
 * Pure data and matching, so the router (router.ts) is the only place that touches history.
 */

/**
 * Who may open a page. `staff` pages need the staff claim; the second factor is checked by the page.
 * `signed-in` pages are for any account, verified or not (deleting it).
 */
export type Access = 'anyone' | 'visitor' | 'unverified' | 'signed-in' | 'member' | 'staff';

export type RouteName =
  | 'home'
  | 'signin'
  | 'signup'
  | 'reset'
  | 'verify'
  | 'action'
  | 'library'
  | 'messages'
  | 'account'
  | 'delete-account'
  | 'staff'
  | 'staff-inbox'
  | 'staff-conversation'
  | 'not-found';

export interface Route {
  name: RouteName;
  /** Path segments; `:name` captures one segment. */
  pattern: string;
  access: Access;
  /** The page's name in `document.title` (the page may refine it once its data is read). */
  title: string;
}

export const ROUTES: readonly Route[] = [
  { name: 'home', pattern: '/', access: 'member', title: 'Home' },
  { name: 'signin', pattern: '/signin', access: 'visitor', title: 'Sign in' },
  { name: 'signup', pattern: '/signup', access: 'visitor', title: 'Create your account' },
  { name: 'reset', pattern: '/reset', access: 'visitor', title: 'Reset your password' },
  { name: 'verify', pattern: '/verify', access: 'unverified', title: 'Verify your email' },
  { name: 'action', pattern: '/action', access: 'anyone', title: 'Email link' },
  { name: 'library', pattern: '/library', access: 'member', title: 'Library' },
  { name: 'messages', pattern: '/messages', access: 'member', title: 'Messages' },
  { name: 'account', pattern: '/account', access: 'member', title: 'Your account' },
  { name: 'delete-account', pattern: '/account/delete', access: 'signed-in', title: 'Delete your account' },
  { name: 'staff', pattern: '/staff', access: 'staff', title: 'Staff console' },
  { name: 'staff-inbox', pattern: '/staff/inbox', access: 'staff', title: 'Staff inbox' },
  { name: 'staff-conversation', pattern: '/staff/inbox/:uid', access: 'staff', title: 'Conversation' },
];

export const NOT_FOUND: Route = { name: 'not-found', pattern: '', access: 'anyone', title: 'Page not found' };

export interface Match {
  route: Route;
  params: Record<string, string>;
}

/**
 * The route for a location. Links in our emails carry `mode` and `oobCode`, and the custom
 * action URL may point at any path of the app (`/` by default), so those open the action page.
 */
export function matchRoute(pathname: string, search = ''): Match {
  const query = new URLSearchParams(search);
  if (query.get('mode') && query.get('oobCode')) return { route: byName('action'), params: {} };
  const parts = segments(pathname);
  if (parts === undefined) return { route: NOT_FOUND, params: {} };
  for (const route of ROUTES) {
    const pattern = segments(route.pattern) ?? [];
    if (pattern.length !== parts.length) continue;
    const params: Record<string, string> = {};
    const matches = pattern.every((p, i) => {
      if (p.startsWith(':')) {
        params[p.slice(1)] = parts[i]!;
        return true;
      }
      return p === parts[i];
    });
    if (matches) return { route, params };
  }
  return { route: NOT_FOUND, params: {} };
}

export function byName(name: RouteName): Route {
  return name === 'not-found' ? NOT_FOUND : ROUTES.find((r) => r.name === name)!;
}

/** Decoded segments, ignoring one trailing slash; undefined for a malformed escape. */
function segments(pathname: string): string[] | undefined {
  const trimmed = pathname.length > 1 ? pathname.replace(/\/$/, '') : pathname;
  try {
    return trimmed
      .split('/')
      .slice(1)
      .filter((s, i, all) => !(all.length === 1 && s === ''))
      .map((s) => decodeURIComponent(s));
  } catch {
    return undefined;
  }
}

/** The session as the guards see it. */
export interface SessionFacts {
  signedIn: boolean;
  verified: boolean;
  staffClaim: boolean;
}

export type Decision = { show: true } | { show: false; redirect: string } | { show: false; refuse: 'staff' };

/**
 * Where a visit ends up. Signed-out visits to member pages go to sign-in and come back after it
 * (`next`); unverified members are held at /verify; a signed-in visit to sign-in goes on to
 * `next` (or home); staff pages without the staff claim are refused in place.
 */
export function decide(route: Route, session: SessionFacts, here: string, next: string | null): Decision {
  switch (route.access) {
    case 'anyone':
      return { show: true };
    case 'visitor':
      return session.signedIn ? { show: false, redirect: safeNext(next) } : { show: true };
    case 'signed-in':
      return session.signedIn ? { show: true } : { show: false, redirect: signInFor(here) };
    case 'unverified':
      if (!session.signedIn) return { show: false, redirect: '/signin' };
      return session.verified ? { show: false, redirect: safeNext(next) } : { show: true };
    case 'member':
    case 'staff':
      if (!session.signedIn) return { show: false, redirect: signInFor(here) };
      if (!session.verified) return { show: false, redirect: '/verify' + nextQuery(here) };
      if (route.access === 'staff' && !session.staffClaim) return { show: false, refuse: 'staff' };
      return { show: true };
  }
}

/** `/signin`, remembering the page asked for (home needs no reminder). */
export function signInFor(here: string): string {
  return '/signin' + nextQuery(here);
}

function nextQuery(here: string): string {
  return here === '/' ? '' : `?next=${encodeURIComponent(here)}`;
}

/** Only a path of this app: `//evil.example` or `https://…` would send the member elsewhere. */
export function safeNext(next: string | null): string {
  if (!next || !next.startsWith('/') || next.startsWith('//') || next.startsWith('/\\')) return '/';
  const { route } = matchRoute(next.split('?')[0]!.split('#')[0]!);
  return route.access === 'visitor' || route.access === 'unverified' ? '/' : next;
}
