import {
  clearIndexedDbPersistence,
  connectFirestoreEmulator,
  type Firestore,
  initializeFirestore,
  persistentLocalCache,
  persistentMultipleTabManager,
  terminate,
} from 'firebase/firestore';
import { emulatorConfig } from '../config.js';
import { firebaseApp } from './app.js';
import { watchUser } from './auth.js';

// The full Firestore SDK, for the pages that update live (messages, the staff inbox, the home
// unread mark). It is ~3x the size of Lite, so only those pages import this module, and the
// bundler gives it a chunk of its own; the sign-in page never loads it.

let db: Firestore | undefined;

/**
 * The full SDK on the same app as Lite. Its cache lives in IndexedDB and is shared by every tab
 * (one tab holds the connection, the others follow it), so a message sent offline is kept in the
 * write queue across a reload and goes out when the network returns.
 */
export function liveFirestore(): Firestore {
  if (db) return db;
  db = initializeFirestore(firebaseApp(), {
    localCache: persistentLocalCache({ tabManager: persistentMultipleTabManager() }),
  });
  forgetOnSignOut(db);
  // Lite is pointed at the emulators by emulators.ts at start-up; this instance is made later, on
  // demand, so it connects itself. The branch is dropped from production builds.
  if (import.meta.env.DEV) {
    const c = emulatorConfig();
    connectFirestoreEmulator(db, c.host, c.firestorePort);
  }
  return db;
}

/**
 * Lite kept nothing on disk; this cache keeps conversations in IndexedDB. On a shared computer the
 * next person must not find them there, so signing out ends the instance and clears the cache
 * (best effort: another tab of the app still open keeps it until it signs out too, which Auth
 * makes it do). The next page that needs it makes a fresh instance.
 */
function forgetOnSignOut(instance: Firestore): void {
  let signedIn = false;
  const stop = watchUser((user) => {
    if (user) {
      signedIn = true;
      return;
    }
    if (!signedIn) return;
    stop();
    if (db === instance) db = undefined;
    terminate(instance)
      .then(() => clearIndexedDbPersistence(instance))
      .catch(() => undefined);
  });
}

export {
  collection,
  doc,
  getDoc,
  getDocFromCache,
  increment,
  limit,
  onSnapshot,
  orderBy,
  query,
  serverTimestamp,
  Timestamp,
  updateDoc,
  writeBatch,
} from 'firebase/firestore';
export type {
  DocumentData,
  DocumentSnapshot,
  FirestoreError,
  QuerySnapshot,
  SnapshotMetadata,
  Unsubscribe,
} from 'firebase/firestore';
