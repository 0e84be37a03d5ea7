import { connectAuthEmulator } from 'firebase/auth';
import { connectFirestoreEmulator } from 'firebase/firestore/lite';
import { connectFunctionsEmulator } from 'firebase/functions';
import { connectStorageEmulator } from 'firebase/storage';
import { emulatorConfig } from '../config.js';
import { auth } from './auth.js';
import { firestore } from './firestore.js';
import { functions } from './functions.js';
import { storage } from './storage.js';

/** Development only: imported dynamically by app.ts so production bundles never include it. */
export function connectAllEmulators(): void {
  const c = emulatorConfig();
  connectAuthEmulator(auth(), `http://${c.host}:${c.authPort}`, { disableWarnings: true });
  connectFirestoreEmulator(firestore(), c.host, c.firestorePort);
  connectStorageEmulator(storage(), c.host, c.storagePort);
  connectFunctionsEmulator(functions(), c.host, c.functionsPort);
}
