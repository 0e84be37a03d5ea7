import { screenKey } from './app/screens.js';
import { markShown, startSession } from './app/session.js';
import { startFirebase } from './firebase/app.js';
import { authReady, currentUser, type User } from './firebase/auth.js';
import { mount } from './ui/dom.js';
import { emailActionView, readEmailAction } from './views/action.js';
import { verifyEmailView } from './views/verify-email.js';
import { visitorView } from './views/visitor.js';

await startFirebase();
await authReady();

/** Home (and Firestore with it) loads on demand, keeping the sign-in page's JavaScript small. */
async function showHome(user: User): Promise<void> {
  const { homeView } = await import('./views/home.js');
  // The member may have signed out while the module loaded.
  if (screenKey(currentUser()) === screenKey(user)) mount(homeView(user));
}

// A link from one of our emails is handled first; its page then continues to the member's own.
const action = readEmailAction(window.location.search);
if (action) {
  window.history.replaceState(null, '', '/');
  markShown(currentUser());
  mount(emailActionView(action));
}

startSession((user) => {
  if (!user) mount(visitorView());
  else if (!user.emailVerified) mount(verifyEmailView(user));
  else void showHome(user);
});
