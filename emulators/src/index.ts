/** Package entry: the emulators' start functions and their shared handle type. */
export type { EmulatorHandle } from './handle.js';
export {
  type FirestoreEmulatorHandle,
  type FirestoreEmulatorOptions,
  startFirestoreEmulator,
} from './firestore/index.js';
export { type StorageEmulatorOptions, startStorageEmulator } from './storage/index.js';
