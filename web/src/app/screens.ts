/** Which page a session state shows. Unverified members see only the verification gate (DESIGN §2). */
export type Screen = 'visitor' | 'verify' | 'home';

export interface SessionUser {
  uid: string;
  emailVerified: boolean;
}

export function screenFor(user: SessionUser | null): Screen {
  if (!user) return 'visitor';
  return user.emailVerified ? 'home' : 'verify';
}

/** Identifies what is on screen, so re-rendering happens only when it would change. */
export function screenKey(user: SessionUser | null): string {
  return user ? `${screenFor(user)}:${user.uid}` : 'visitor';
}
