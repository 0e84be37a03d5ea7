import { randomUUID } from 'node:crypto';
import { type App, deleteApp } from 'firebase-admin/app';
import { adminApp as backendAdminApp } from './backend-admin.js';
import { getAuth } from 'firebase-admin/auth';
import { FieldValue, getFirestore } from 'firebase-admin/firestore';
import { uniqueEmail } from './client.js';

// Ready-made people for browser tests, created with firebase-admin against the emulators:
// verified members with a profile, and staff with the staff claim and an enrolled SMS factor.

export interface Person {
  uid: string;
  email: string;
  password: string;
  username: string;
}

export interface StaffPerson extends Person {
  phoneNumber: string;
}

const PASSWORD = 'a long enough password';

export function adminApp(): { app: App; close: () => Promise<void> } {
  const app = backendAdminApp(`people-${randomUUID()}`);
  return { app, close: () => deleteApp(app) };
}

function newUsername(prefix: string): string {
  return `${prefix}_${Math.random().toString(36).slice(2, 10)}`;
}

async function writeProfile(app: App, uid: string, username: string): Promise<void> {
  const db = getFirestore(app);
  const batch = db.batch();
  batch.set(db.doc(`users/${uid}`), { username, createdAt: FieldValue.serverTimestamp() });
  batch.set(db.doc(`usernames/${username}`), { uid });
  await batch.commit();
}

export async function createVerifiedMember(app: App): Promise<Person> {
  const email = uniqueEmail('member');
  const username = newUsername('member');
  const user = await getAuth(app).createUser({ email, password: PASSWORD, emailVerified: true });
  await writeProfile(app, user.uid, username);
  return { uid: user.uid, email, password: PASSWORD, username };
}

/** Staff as the admin CLI makes them: staff claim, verified email, and a phone second factor. */
export async function createStaff(app: App): Promise<StaffPerson> {
  const email = uniqueEmail('staff');
  const username = newUsername('staff');
  const phoneNumber = `+1555${Math.floor(1_000_000 + Math.random() * 8_999_999)}`;
  const user = await getAuth(app).createUser({
    email,
    password: PASSWORD,
    emailVerified: true,
    multiFactor: { enrolledFactors: [{ factorId: 'phone', phoneNumber, displayName: 'Work phone' }] },
  });
  await getAuth(app).setCustomUserClaims(user.uid, { staff: true });
  await writeProfile(app, user.uid, username);
  return { uid: user.uid, email, password: PASSWORD, username, phoneNumber };
}
