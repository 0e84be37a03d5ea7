import { type Firestore, getFirestore } from 'firebase/firestore/lite';
import { firebaseApp } from './app.js';

/** Firestore Lite (REST): about a third of the full SDK's size, and the portal needs no offline cache. */
export function firestore(): Firestore {
  return getFirestore(firebaseApp());
}

// The data modules build on these; re-exported here so only this wrapper imports the SDK.
export { doc, getDoc, serverTimestamp, writeBatch } from 'firebase/firestore/lite';
