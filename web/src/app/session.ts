import { currentUser, type User, watchUser } from '../firebase/auth.js';
import { screenKey } from './screens.js';

type Render = (user: User | null) => void;

let render: Render | undefined;
let shown: string | null = null;
let holds = 0;

/** Shows the page for the current user whenever the session changes in a way that changes the page. */
export function startSession(renderer: Render): void {
  render = renderer;
  watchUser(() => showCurrent());
}

/** Re-renders if the page for the current user differs from what is shown (e.g. after verification). */
export function showCurrent(force = false): void {
  if (!render || holds > 0) return;
  const user = currentUser();
  const key = screenKey(user);
  if (!force && key === shown) return;
  shown = key;
  render(user);
}

/**
 * Keeps the current page while multi-step work changes the session underneath it: sign-up
 * creates a user before its profile exists and may delete it again when the name is taken.
 */
export async function holdRendering<T>(work: () => Promise<T>): Promise<T> {
  holds += 1;
  try {
    return await work();
  } finally {
    holds -= 1;
    showCurrent();
  }
}

/** For pages that replace the screen themselves (account settings, action results). */
export function markShown(user: User | null): void {
  shown = screenKey(user);
}
