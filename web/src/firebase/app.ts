import { type FirebaseApp, initializeApp } from 'firebase/app';
import { firebaseOptions } from '../config.js';

let app: FirebaseApp | undefined;

/** The one Firebase app of this page. */
export function firebaseApp(): FirebaseApp {
  app ??= initializeApp(firebaseOptions());
  return app;
}

/**
 * Must run before any view touches a Firebase service: in development it points every
 * SDK at the local emulators. The import sits behind `import.meta.env.DEV`, so production
 * bundles contain no emulator code at all.
 */
export async function startFirebase(): Promise<void> {
  firebaseApp();
  if (import.meta.env.DEV) {
    const { connectAllEmulators } = await import('./emulators.js');
    connectAllEmulators();
  }
}
