import { deleteApp, type FirebaseApp, initializeApp } from 'firebase/app';
import { connectAuthEmulator, getAuth } from 'firebase/auth';
import { connectFunctionsEmulator, getFunctions } from 'firebase/functions';
import { localPorts, projectId } from '../../scripts/lib/project.js';

let counter = 0;

/** A fresh web-SDK app in Node, wired to the local emulators like the browser client is. */
export function testClient(): { app: FirebaseApp; close: () => Promise<void> } {
  const ports = localPorts();
  const app = initializeApp(
    { apiKey: 'demo-api-key', projectId: projectId() },
    `test-${process.pid}-${counter++}`,
  );
  connectAuthEmulator(getAuth(app), `http://${ports.host}:${ports.auth}`, { disableWarnings: true });
  connectFunctionsEmulator(getFunctions(app, 'us-central1'), ports.host, ports.functions);
  return { app, close: () => deleteApp(app) };
}

export function uniqueEmail(prefix = 'member'): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}@example.com`;
}

/** Auth emulator admin endpoint: marks an email verified without sending mail. */
export async function verifyEmailInEmulator(uid: string): Promise<void> {
  const ports = localPorts();
  const response = await fetch(
    `http://${ports.host}:${ports.auth}/identitytoolkit.googleapis.com/v1/projects/${projectId()}/accounts:update`,
    {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: 'Bearer owner' },
      body: JSON.stringify({ localId: uid, emailVerified: true }),
    },
  );
  if (!response.ok)
    throw new Error(`Auth emulator refused to verify ${uid}: ${response.status} ${await response.text()}`);
}
