import { type App, initializeApp } from 'firebase-admin/app';
import { projectId } from '../../scripts/lib/project.js';

// The suites that talk to the running backend with firebase-admin: they need the variables
// scripts/lib/backend.ts sets, and an admin app of their own.

const BACKEND_VARIABLES = [
  'FIRESTORE_EMULATOR_HOST',
  'FIREBASE_STORAGE_EMULATOR_HOST',
  'STORAGE_EMULATOR_HOST',
  'FIREBASE_AUTH_EMULATOR_HOST',
];

export function requireBackendEnv(): void {
  for (const name of BACKEND_VARIABLES) {
    if (!process.env[name])
      throw new Error(`${name} is not set: run this suite through scripts/with-backend.ts`);
  }
}

/** An admin app for the demo project, named after the suite so parallel suites do not clash. */
export function adminApp(name: string): App {
  requireBackendEnv();
  return initializeApp(
    { projectId: projectId(), storageBucket: `${projectId()}.appspot.com` },
    `${name}-${process.pid}`,
  );
}
