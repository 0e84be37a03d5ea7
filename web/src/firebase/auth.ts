import {
  type Auth,
  browserLocalPersistence,
  createUserWithEmailAndPassword,
  signOut as firebaseSignOut,
  indexedDBLocalPersistence,
  initializeAuth,
  onAuthStateChanged,
  signInWithEmailAndPassword,
  type User,
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
