/**
 * SHIM for the browser run (not from firebase-js-sdk): stands in for the suite's
 * test/integration/util/firebase_export.ts, which is itself a shim over the public
 * `firebase/firestore` + `firebase/app` (here resolved to their browser builds). One change: in
 * the persistent mode a `persistentLocalCache()` without a tab manager gets
 * `persistentMultipleTabManager()`, so the suite's IndexedDB runs use multi-tab persistence.
 */
import { type FirebaseApp, initializeApp } from 'firebase/app';
import {
  type Firestore,
  type FirestoreSettings,
  initializeFirestore,
  type PersistentCacheSettings,
  type PersistentLocalCache,
  persistentLocalCache as sdkPersistentLocalCache,
  persistentMultipleTabManager,
} from 'firebase/firestore';
import { pageState } from './page-state.js';
import type { PageConfig } from './types.js';

export * from 'firebase/firestore';

let appCount = 0;

export function newTestApp(projectId: string, appName?: string): FirebaseApp {
  return initializeApp({ apiKey: 'fake-api-key', projectId }, appName ?? `test-app-${appCount++}`);
}

export function newTestFirestore(app: FirebaseApp, settings?: FirestoreSettings, dbName?: string): Firestore {
  return dbName === undefined
    ? initializeFirestore(app, settings ?? {})
    : initializeFirestore(app, settings ?? {}, dbName);
}

export function persistentLocalCache(settings?: PersistentCacheSettings): PersistentLocalCache {
  const config = (globalThis as unknown as { __CONFORMANCE__?: PageConfig }).__CONFORMANCE__;
  if (config?.mode === 'persistent' && settings?.tabManager === undefined) {
    pageState().multiTabCaches += 1;
    return sdkPersistentLocalCache({ ...settings, tabManager: persistentMultipleTabManager() });
  }
  return sdkPersistentLocalCache(settings);
}

/** The suite passes settings the public type does not list (host, ssl). */
export type PrivateSettings = Record<string, unknown>;
