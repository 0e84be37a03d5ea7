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
