import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Repository root, whatever the current directory. */
export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

interface FirebaseJson {
  emulators: Record<string, { host?: string; port?: number }>;
}

export interface LocalPorts {
  host: string;
  auth: number;
  functions: number;
  firestore: number;
  storage: number;
}

/** Ports from firebase.json, so the scripts and the Firebase CLI never disagree. */
export function localPorts(): LocalPorts {
  const json = JSON.parse(readFileSync(join(ROOT, 'firebase.json'), 'utf8')) as FirebaseJson;
  const port = (name: string): number => {
    const value = json.emulators[name]?.port;
    if (typeof value !== 'number') throw new Error(`firebase.json has no emulators.${name}.port`);
    return value;
  };
  return {
    host: json.emulators.auth?.host ?? '127.0.0.1',
    auth: port('auth'),
    functions: port('functions'),
    firestore: port('firestore'),
    storage: port('storage'),
  };
}

export function projectId(): string {
  const rc = JSON.parse(readFileSync(join(ROOT, '.firebaserc'), 'utf8')) as {
    projects?: { default?: string };
  };
  const id = process.env.GCLOUD_PROJECT ?? rc.projects?.default;
  if (!id) throw new Error('.firebaserc has no default project');
  return id;
}
