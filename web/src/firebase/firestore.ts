import { type Firestore, getFirestore } from 'firebase/firestore/lite';
import { firebaseApp } from './app.js';

/** Firestore Lite (REST): about a third of the full SDK's size, and the portal needs no offline cache. */
export function firestore(): Firestore {
  return getFirestore(firebaseApp());
}

// The data modules build on these; re-exported here so only this wrapper imports the SDK.
export {
  collection,
  doc,
  getDoc,
  getDocs,
  limit,
  orderBy,
  query,
  serverTimestamp,
  startAfter,
  Timestamp,
  updateDoc,
  where,
  writeBatch,
} from 'firebase/firestore/lite';
export type { DocumentData, QueryDocumentSnapshot } from 'firebase/firestore/lite';
