import { type FirebaseStorage, getStorage } from 'firebase/storage';
import { firebaseApp } from './app.js';

export function storage(): FirebaseStorage {
  return getStorage(firebaseApp());
}

// Uploads with progress and downloads through the SDK with the caller's token (rules checked, no
// long-lived download URLs, DESIGN §3); re-exported so only this wrapper imports the SDK.
export { getBlob, ref, uploadBytesResumable } from 'firebase/storage';
export type { UploadTask, UploadTaskSnapshot } from 'firebase/storage';
