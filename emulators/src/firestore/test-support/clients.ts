/** Helpers for the client test suites: an in-process emulator on a random port and SDK clients. */
import { Firestore } from '@google-cloud/firestore';
import {
  type FirestoreEmulatorHandle,
  type FirestoreEmulatorOptions,
  startFirestoreEmulator,
} from '../index.js';

export async function startTestEmulator(
  opts: FirestoreEmulatorOptions = {},
): Promise<FirestoreEmulatorHandle> {
  return startFirestoreEmulator({ port: 0, projectId: 'demo-test', ...opts });
}

/** firebase-admin's Firestore client, pointed at the emulator the way FIRESTORE_EMULATOR_HOST does. */
export function adminClient(h: FirestoreEmulatorHandle, projectId = h.projectId): Firestore {
  return new Firestore({
    projectId,
    host: '127.0.0.1',
    port: h.port,
    ssl: false,
    customHeaders: { Authorization: 'Bearer owner' },
  });
}

/** Base URL of a project's documents for REST calls. */
export function docsUrl(h: FirestoreEmulatorHandle, projectId = h.projectId): string {
  return `${h.url}/v1/projects/${projectId}/databases/(default)/documents`;
}

export async function rest(
  url: string,
  body: unknown,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: unknown }> {
  const r = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await r.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = text;
  }
  return { status: r.status, json };
}

/** An unsigned JWT like the Auth emulator's (alg none, empty signature). */
export function mockIdToken(claims: Record<string, unknown>): string {
  const enc = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${enc({ alg: 'none', typ: 'JWT' })}.${enc({ iat: 0, exp: 3600, ...claims })}.`;
}

/** A rules compiler that allows everything, for protocol tests that are not about rules. */
export const allowAll = () => ({
  evaluate: () => ({ allowed: true, evaluated: [], message: 'allowed' }),
});
