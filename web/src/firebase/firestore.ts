import { type Firestore, getFirestore } from 'firebase/firestore/lite';
import { firebaseApp } from './app.js';

/** Firestore Lite (REST): about a third of the full SDK's size, and the portal needs no offline cache. */
export function firestore(): Firestore {
  return getFirestore(firebaseApp());
}
