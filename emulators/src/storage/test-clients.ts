/** Test-only helpers: web SDK clients bound to an emulator with a chosen identity. */
import { deleteApp, type FirebaseApp, initializeApp } from 'firebase/app';
import { connectStorageEmulator, type FirebaseStorage, getStorage } from 'firebase/storage';

let counter = 0;

export interface WebClient {
  app: FirebaseApp;
  storage: FirebaseStorage;
  close(): Promise<void>;
}

/** `uid` null = unauthenticated, 'owner' = the admin token that bypasses rules. */
export function webClient(
  emulator: { port: number },
  projectId: string,
  uid: string | null,
  claims: Record<string, unknown> = {},
): WebClient {
  const app = initializeApp(
    {
      projectId,
      apiKey: 'fake-api-key',
      storageBucket: `${projectId}.appspot.com`,
      appId: 'test',
    },
    `storage-test-${process.pid}-${++counter}`,
  );
  const storage = getStorage(app);
  const mockUserToken =
    uid === null ? undefined : uid === 'owner' ? 'owner' : { user_id: uid, sub: uid, ...claims };
  connectStorageEmulator(storage, '127.0.0.1', emulator.port, mockUserToken ? { mockUserToken } : {});
  return { app, storage, close: () => deleteApp(app) };
}

export const TEST_RULES = `rules_version = '2';
service firebase.storage {
  match /b/{bucket}/o {
    match /public/{all=**} {
      allow read, write: if true;
    }
    match /users/{uid}/{file=**} {
      allow read: if request.auth != null && request.auth.uid == uid;
      allow create: if request.auth != null && request.auth.uid == uid
        && request.resource.size < 8 * 1024 * 1024
        && request.resource.contentType.matches('text/.*|image/.*|application/octet-stream');
      allow update, delete: if request.auth != null && request.auth.uid == uid;
    }
  }
}
`;
