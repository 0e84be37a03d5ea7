import { type App, getApps, initializeApp } from 'firebase-admin/app';
import { type Auth, getAuth } from 'firebase-admin/auth';
import { type Firestore, getFirestore } from 'firebase-admin/firestore';
import { getStorage } from 'firebase-admin/storage';

/**
 * Admin SDK handles. In the emulators FIRESTORE_EMULATOR_HOST, FIREBASE_STORAGE_EMULATOR_HOST
 * and FIREBASE_AUTH_EMULATOR_HOST point them at the local backend.
 */
function app(): App {
  return getApps()[0] ?? initializeApp();
}

export function db(): Firestore {
  return getFirestore(app());
}

export function adminAuth(): Auth {
  return getAuth(app());
}

/** The default bucket, named explicitly because the app may be initialised without `storageBucket`. */
export function bucketName(env: NodeJS.ProcessEnv = process.env): string {
  const config = parseConfig(env.FIREBASE_CONFIG);
  if (typeof config.storageBucket === 'string' && config.storageBucket) return config.storageBucket;
  const projectId =
    (typeof config.projectId === 'string' && config.projectId) || env.GCLOUD_PROJECT || env.GCP_PROJECT;
  if (!projectId) throw new Error('No project id: set FIREBASE_CONFIG or GCLOUD_PROJECT.');
  return `${projectId}.appspot.com`;
}

function parseConfig(raw: string | undefined): Record<string, unknown> {
  if (!raw) return {};
  try {
    const parsed: unknown = JSON.parse(raw);
    return parsed && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

/** Typed through firebase-admin, which is the dependency the functions declare (not @google-cloud/storage). */
export type Bucket = ReturnType<ReturnType<typeof getStorage>['bucket']>;

export function bucket(): Bucket {
  return getStorage(app()).bucket(bucketName());
}
