import type { App } from 'firebase-admin/app';
import { getAuth } from 'firebase-admin/auth';
import { getFirestore, Timestamp } from 'firebase-admin/firestore';
import { getAuth as getClientAuth, signInWithEmailAndPassword, type User } from 'firebase/auth';
import { getFunctions, httpsCallable } from 'firebase/functions';
import { hashCode } from '../../functions/src/premium/codes.js';
import { localPorts, projectId } from '../../scripts/lib/project.js';
import { testClient, uniqueEmail } from './client.js';

// Helpers for the premium suites: members and staff in the Auth emulator, codes seeded with
// firebase-admin exactly as createAccessCodes stores them, and calls as a given user.

export const PASSWORD = 'premium test password';

export { adminApp, requireBackendEnv } from './backend-admin.js';

export interface Member {
  uid: string;
  email: string;
  username: string;
  user: User;
  app: ReturnType<typeof testClient>['app'];
  /** `timeoutMs` defaults to 240 s. */
  call: <T = unknown>(name: string, data?: unknown, timeoutMs?: number) => Promise<T>;
  close: () => Promise<void>;
}

/** A verified member with a profile, signed in with the web SDK in its own app. */
export async function createMember(
  admin: App,
  options: { verified?: boolean; claims?: Record<string, unknown>; prefix?: string } = {},
): Promise<Member> {
  const email = uniqueEmail(options.prefix ?? 'premium');
  const record = await getAuth(admin).createUser({
    email,
    password: PASSWORD,
    emailVerified: options.verified ?? true,
  });
  if (options.claims) await getAuth(admin).setCustomUserClaims(record.uid, options.claims);
  const username = `p_${record.uid.slice(0, 14).toLowerCase()}`;
  const db = getFirestore(admin);
  const batch = db.batch();
  batch.set(db.doc(`users/${record.uid}`), { username, createdAt: Timestamp.now() });
  batch.set(db.doc(`usernames/${username}`), { uid: record.uid });
  await batch.commit();
  const client = testClient();
  const { user } = await signInWithEmailAndPassword(getClientAuth(client.app), email, PASSWORD);
  const functions = getFunctions(client.app, 'us-central1');
  return {
    uid: record.uid,
    email,
    username,
    user,
    app: client.app,
    // Generous: the Functions emulator starts one process per concurrent call, and 50 of them
    // starting at once on a small machine can take longer than the SDK's 70 s default.
    call: async <T>(name: string, data?: unknown, timeoutMs = 240_000) =>
      (await httpsCallable<unknown, T>(functions, name, { timeout: timeoutMs })(data)).data,
    close: client.close,
  };
}

/** Stores a code the way createAccessCodes does: only its hash, as the document id. */
export async function storeCode(
  admin: App,
  code: string,
  options: { expiresInMs?: number; premiumDays?: number | null } = {},
): Promise<string> {
  const hash = hashCode(code);
  await getFirestore(admin)
    .doc(`accessCodes/${hash}`)
    .set({
      createdBy: 'test',
      createdAt: Timestamp.now(),
      expiresAt: Timestamp.fromMillis(Date.now() + (options.expiresInMs ?? 86_400_000)),
      premiumDays: options.premiumDays === undefined ? 30 : options.premiumDays,
      redeemedBy: null,
      redeemedAt: null,
    });
  return hash;
}

export function randomCode(): string {
  const alphabet = '23456789ABCDEFGHJKLMNPQRSTUVWXYZ';
  let code = '';
  for (let i = 0; i < 12; i++) code += alphabet[Math.floor(Math.random() * alphabet.length)];
  return code;
}

/** `code: message`, without the " [404]" status suffix the web SDK appends to callable errors. */
export function describeRejection(error: unknown): string {
  const e = error as { code?: string; message?: string };
  return `${e.code}: ${(e.message ?? '').replace(/ \[\d{3}\]$/, '')}`;
}

/** The error code and message a callable rejected with, e.g. `functions/not-found: …`. */
export async function rejection(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'fulfilled';
  } catch (error) {
    return describeRejection(error);
  }
}

const authBase = () => {
  const p = localPorts();
  return `http://${p.host}:${p.auth}`;
};

async function postJson<T>(url: string, body: unknown): Promise<T> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const json = (await response.json()) as T & { error?: { message?: string } };
  if (!response.ok) throw new Error(`${url}: ${response.status} ${json.error?.message ?? ''}`);
  return json;
}

export interface StaffSession {
  uid: string;
  email: string;
  idToken: string;
  call: <T = unknown>(name: string, data?: unknown) => Promise<T>;
}

/**
 * A staff account with an enrolled SMS factor, signed in through both factors with the Auth
 * emulator's REST API (the web SDK's phone step needs a browser reCAPTCHA host). The ID token
 * carries firebase.sign_in_second_factor = "phone", as a real second-factor sign-in does.
 */
export async function staffWithSecondFactor(admin: App): Promise<StaffSession> {
  const email = uniqueEmail('staff');
  const phoneNumber = `+1555${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`;
  const record = await getAuth(admin).createUser({
    email,
    password: PASSWORD,
    emailVerified: true,
    multiFactor: { enrolledFactors: [{ phoneNumber, factorId: 'phone' }] },
  });
  await getAuth(admin).setCustomUserClaims(record.uid, { staff: true });
  const key = 'key=demo-api-key';
  const first = await postJson<{ mfaPendingCredential: string; mfaInfo: Array<{ mfaEnrollmentId: string }> }>(
    `${authBase()}/identitytoolkit.googleapis.com/v1/accounts:signInWithPassword?${key}`,
    { email, password: PASSWORD, returnSecureToken: true },
  );
  const enrollment = first.mfaInfo[0]?.mfaEnrollmentId;
  if (!first.mfaPendingCredential || !enrollment) throw new Error('Expected a second-factor challenge');
  const started = await postJson<{ phoneResponseInfo: { sessionInfo: string } }>(
    `${authBase()}/identitytoolkit.googleapis.com/v2/accounts/mfaSignIn:start?${key}`,
    { mfaPendingCredential: first.mfaPendingCredential, mfaEnrollmentId: enrollment, phoneSignInInfo: {} },
  );
  const codes = (await (
    await fetch(`${authBase()}/emulator/v1/projects/${projectId()}/verificationCodes`)
  ).json()) as { verificationCodes?: Array<{ sessionInfo: string; code: string }> };
  const sms = codes.verificationCodes?.find((c) => c.sessionInfo === started.phoneResponseInfo.sessionInfo);
  if (!sms) throw new Error('The Auth emulator recorded no SMS code for the sign-in');
  const done = await postJson<{ idToken: string }>(
    `${authBase()}/identitytoolkit.googleapis.com/v2/accounts/mfaSignIn:finalize?${key}`,
    {
      mfaPendingCredential: first.mfaPendingCredential,
      phoneVerificationInfo: { sessionInfo: started.phoneResponseInfo.sessionInfo, code: sms.code },
    },
  );
  return {
    uid: record.uid,
    email,
    idToken: done.idToken,
    call: (name, data) => callAs(done.idToken, name, data),
  };
}

/** The callable protocol over HTTP (what httpsCallable sends), for tokens minted outside the web SDK. */
export async function callAs<T>(idToken: string, name: string, data: unknown): Promise<T> {
  return callWithBody<T>(idToken, name, JSON.stringify({ data: data ?? null }));
}

/** A callable request with the body exactly as given, for JSON no JavaScript object serialises to. */
export async function callWithBody<T>(idToken: string, name: string, body: string): Promise<T> {
  const p = localPorts();
  const response = await fetch(`http://${p.host}:${p.functions}/${projectId()}/us-central1/${name}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${idToken}` },
    body,
  });
  const answer = (await response.json()) as { result?: T; error?: { status: string; message: string } };
  if (answer.error) {
    throw Object.assign(new Error(answer.error.message), {
      code: `functions/${answer.error.status.toLowerCase().replace(/_/g, '-')}`,
    });
  }
  return answer.result as T;
}
