import { type FirebaseStorage, getStorage } from 'firebase/storage';
import { firebaseApp } from './app.js';

export function storage(): FirebaseStorage {
  return getStorage(firebaseApp());
}
