import { type Functions, getFunctions, httpsCallable } from 'firebase/functions';
import { FUNCTIONS_REGION } from '../config.js';
import { firebaseApp } from './app.js';

export function functions(): Functions {
  return getFunctions(firebaseApp(), FUNCTIONS_REGION);
}

export interface WhoAmI {
  uid: string;
  email: string | null;
  emailVerified: boolean;
}

export async function whoami(): Promise<WhoAmI> {
  const call = httpsCallable<void, WhoAmI>(functions(), 'whoami');
  return (await call()).data;
}

/** Everything the portal holds about the caller (functions/src/account/export-data.ts). */
export async function exportMyData(): Promise<unknown> {
  const call = httpsCallable<void, unknown>(functions(), 'exportMyData');
  return (await call()).data;
}

export async function deleteMyAccount(): Promise<void> {
  const call = httpsCallable<{ confirm: true }, unknown>(functions(), 'deleteMyAccount');
  await call({ confirm: true });
}
