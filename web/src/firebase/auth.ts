import {
  type ActionCodeSettings,
  applyActionCode,
  type Auth,
  browserLocalPersistence,
  confirmPasswordReset,
  createUserWithEmailAndPassword,
  deleteUser,
  EmailAuthProvider,
  signOut as firebaseSignOut,
  indexedDBLocalPersistence,
  initializeAuth,
  onAuthStateChanged,
  onIdTokenChanged,
  reauthenticateWithCredential,
  reload,
  sendEmailVerification,
  sendPasswordResetEmail,
  signInWithEmailAndPassword,
  updatePassword,
  type User,
  verifyBeforeUpdateEmail,
} from 'firebase/auth';
import { firebaseApp } from './app.js';

let instance: Auth | undefined;

/** Auth without the popup/redirect resolver: the portal signs in with email only, which keeps the bundle small. */
export function auth(): Auth {
  instance ??= initializeAuth(firebaseApp(), {
    persistence: [indexedDBLocalPersistence, browserLocalPersistence],
  });
  return instance;
}

export type { User };

export function watchUser(callback: (user: User | null) => void): () => void {
  return onAuthStateChanged(auth(), callback);
}

/**
 * Also fires when another tab of this app refreshes the shared session (a verification or an
 * email change finished there): the SDK syncs the persisted user between tabs.
 */
export function watchIdToken(callback: (user: User | null) => void): () => void {
  return onIdTokenChanged(auth(), callback);
}

/** Re-reads the account from Auth: the record may say more than the token (verified, new email). */
export function reloadUser(user: User): Promise<void> {
  return reload(user);
}

export function currentUser(): User | null {
  return auth().currentUser;
}

/** Resolves once the persisted session (if any) has been restored. */
export function authReady(): Promise<void> {
  return auth().authStateReady();
}

function signedInUser(): User {
  const user = auth().currentUser;
  if (!user) throw Object.assign(new Error('Not signed in'), { code: 'auth/no-current-user' });
  return user;
}

/** Links in our emails bring the member back to this app, which handles the code itself (views/action.ts). */
function returnHere(): ActionCodeSettings {
  return { url: `${window.location.origin}/` };
}

export async function signUp(email: string, password: string): Promise<User> {
  const credential = await createUserWithEmailAndPassword(auth(), email, password);
  return credential.user;
}

export async function signIn(email: string, password: string): Promise<User> {
  const credential = await signInWithEmailAndPassword(auth(), email, password);
  return credential.user;
}

export function signOut(): Promise<void> {
  return firebaseSignOut(auth());
}

export function sendVerification(): Promise<void> {
  return sendEmailVerification(signedInUser(), returnHere());
}

/** Reloads the account and refreshes the ID token, so rules and functions see a fresh `email_verified`. */
export async function refreshUser(): Promise<User | null> {
  const user = auth().currentUser;
  if (!user) return null;
  await reload(user);
  await user.getIdToken(true);
  return auth().currentUser;
}

/**
 * Asks for a reset email. An unknown address looks exactly like a known one, so the
 * form cannot be used to find out who has an account.
 */
export async function requestPasswordReset(email: string): Promise<void> {
  try {
    await sendPasswordResetEmail(auth(), email, returnHere());
  } catch (error) {
    if (!(error && typeof error === 'object' && 'code' in error && error.code === 'auth/user-not-found')) {
      throw error;
    }
  }
}

export function applyEmailCode(oobCode: string): Promise<void> {
  return applyActionCode(auth(), oobCode);
}

export function resetPassword(oobCode: string, newPassword: string): Promise<void> {
  return confirmPasswordReset(auth(), oobCode, newPassword);
}

/** Proves the member is present before sensitive changes; may throw multi-factor-auth-required. */
export async function reauthenticate(password: string): Promise<void> {
  const user = signedInUser();
  if (!user.email) throw Object.assign(new Error('No email'), { code: 'auth/invalid-credential' });
  await reauthenticateWithCredential(user, EmailAuthProvider.credential(user.email, password));
}

export function changePassword(newPassword: string): Promise<void> {
  return updatePassword(signedInUser(), newPassword);
}

/** The address only changes once the member follows the link sent to the new one. */
export function changeEmail(newEmail: string): Promise<void> {
  return verifyBeforeUpdateEmail(signedInUser(), newEmail, returnHere());
}

/** Only for undoing a sign-up whose profile could not be written; members delete through the callable. */
export function deleteJustCreatedUser(): Promise<void> {
  return deleteUser(signedInUser());
}
