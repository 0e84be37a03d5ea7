/**
 * SHIM for the browser run (not from firebase-js-sdk): stands in for the suite's
 * test/integration/util/firebase_export.ts, which is itself a shim over the public
 * `firebase/firestore` + `firebase/app` (here resolved to their browser builds). One change: in
 * the persistent mode a `persistentLocalCache()` without a tab manager gets
 * `persistentMultipleTabManager()`, so the suite's IndexedDB runs use multi-tab persistence; with
 * --long-polling, Firestore instances get `experimentalForceLongPolling` unless the test picks a
 * transport (the default auto-detects, starting with a streaming back channel).
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

function config(): PageConfig | undefined {
  return (globalThis as unknown as { __CONFORMANCE__?: PageConfig }).__CONFORMANCE__;
}

export function newTestFirestore(app: FirebaseApp, settings?: FirestoreSettings, dbName?: string): Firestore {
  let effective = settings ?? {};
  const choosesTransport =
    effective.experimentalForceLongPolling !== undefined ||
    effective.experimentalAutoDetectLongPolling !== undefined;
  if (config()?.forceLongPolling && !choosesTransport) {
    effective = { ...effective, experimentalForceLongPolling: true };
    pageState().longPollingFirestores += 1;
  }
  return dbName === undefined
    ? initializeFirestore(app, effective)
    : initializeFirestore(app, effective, dbName);
}

export function persistentLocalCache(settings?: PersistentCacheSettings): PersistentLocalCache {
  if (config()?.mode === 'persistent' && settings?.tabManager === undefined) {
    pageState().multiTabCaches += 1;
    return sdkPersistentLocalCache({ ...settings, tabManager: persistentMultipleTabManager() });
  }
  return sdkPersistentLocalCache(settings);
}

/** The suite passes settings the public type does not list (host, ssl). */
export type PrivateSettings = Record<string, unknown>;
