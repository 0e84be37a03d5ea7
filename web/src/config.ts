import type { FirebaseOptions } from 'firebase/app';

/** Where the development build finds the local emulators (ports match firebase.json). */
export interface EmulatorConfig {
  host: string;
  authPort: number;
  firestorePort: number;
  storagePort: number;
  functionsPort: number;
}

export const DEMO_PROJECT_ID = 'demo-member-portal';

export function firebaseOptions(): FirebaseOptions {
  const env = import.meta.env;
  // `import.meta.env.DEV` must be written out in full for the bundler to drop this branch in production.
  if (import.meta.env.DEV) {
    // A `demo-` project id keeps every SDK away from production resources.
    const projectId = env.VITE_FIREBASE_PROJECT_ID || DEMO_PROJECT_ID;
    return {
      apiKey: 'demo-api-key',
      projectId,
      authDomain: `${projectId}.firebaseapp.com`,
      storageBucket: `${projectId}.appspot.com`,
      appId: 'demo-app',
    };
  }
  return {
    apiKey: env.VITE_FIREBASE_API_KEY,
    authDomain: env.VITE_FIREBASE_AUTH_DOMAIN || `${env.VITE_FIREBASE_PROJECT_ID}.firebaseapp.com`,
    projectId: env.VITE_FIREBASE_PROJECT_ID,
    storageBucket: env.VITE_FIREBASE_STORAGE_BUCKET || `${env.VITE_FIREBASE_PROJECT_ID}.appspot.com`,
    appId: env.VITE_FIREBASE_APP_ID,
  };
}

export const FUNCTIONS_REGION = import.meta.env.VITE_FUNCTIONS_REGION || 'us-central1';

export function emulatorConfig(): EmulatorConfig {
  const env = import.meta.env;
  return {
    host: env.VITE_EMULATOR_HOST || '127.0.0.1',
    authPort: Number(env.VITE_AUTH_EMULATOR_PORT || 9099),
    firestorePort: Number(env.VITE_FIRESTORE_EMULATOR_PORT || 8080),
    storagePort: Number(env.VITE_STORAGE_EMULATOR_PORT || 9199),
    functionsPort: Number(env.VITE_FUNCTIONS_EMULATOR_PORT || 5001),
  };
}
