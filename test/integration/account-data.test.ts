import { type App, deleteApp } from 'firebase-admin/app';
import { getAuth } from 'firebase-admin/auth';
import { getFirestore, Timestamp } from 'firebase-admin/firestore';
import { getStorage } from 'firebase-admin/storage';
import { createUserWithEmailAndPassword, getAuth as getClientAuth, type User } from 'firebase/auth';
import { getFunctions, httpsCallable } from 'firebase/functions';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { adminApp } from '../support/backend-admin.js';
import { localPorts, projectId } from '../../scripts/lib/project.js';
import { testClient, uniqueEmail, verifyEmailInEmulator } from '../support/client.js';

// deleteMyAccount and exportMyData through the Functions emulator, with the member's data
// seeded by the admin SDK (clients may not write threads, uploads or other members' files).

let admin: App;
const clients: Array<{ close: () => Promise<void> }> = [];

beforeAll(() => {
  admin = adminApp('account-data');
});
beforeAll(async () => {
  // The first Storage finalize starts the intake function's worker, which can take ~20 s
  // on a busy machine; pay that once here instead of inside a test's time limit.
  const uid = `warmup${process.pid}`;
  const path = `uploads/${uid}/${uid}/warm.txt`;
  await getStorage(admin).bucket().file(path).save(Buffer.from('warm'), { contentType: 'text/plain' });
  const deadline = Date.now() + 55_000;
  while ((await getFirestore(admin).doc(`uploads/${uid}`).get()).get('owner') !== uid) {
    if (Date.now() > deadline) throw new Error('The intake trigger never recorded the warm-up upload');
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  await getStorage(admin).bucket().file(path).delete({ ignoreNotFound: true });
  await getFirestore(admin).doc(`uploads/${uid}`).delete();
}, 60_000);
afterAll(async () => {
  if (admin) await deleteApp(admin);
});
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

interface Member {
  user: User;
  uid: string;
  email: string;
  username: string;
  call: <T = unknown>(name: string, data?: unknown) => Promise<T>;
}

async function signUpMember(options: { verified: boolean }): Promise<Member> {
  const client = testClient();
  clients.push(client);
  const email = uniqueEmail('data');
  const { user } = await createUserWithEmailAndPassword(
    getClientAuth(client.app),
    email,
    'correct horse battery',
  );
  if (options.verified) {
    await verifyEmailInEmulator(user.uid);
    await user.getIdToken(true);
  }
  const functions = getFunctions(client.app, 'us-central1');
  return {
    user,
    uid: user.uid,
    email,
    username: `m_${user.uid.slice(0, 12).toLowerCase()}`,
    call: async <T>(name: string, data?: unknown) =>
      (await httpsCallable<unknown, T>(functions, name)(data)).data,
  };
}

function uploadIds(uid: string): string[] {
  return [`${uid}-up-1`, `${uid}-up-2`];
}

function filePaths(uid: string): string[] {
  const [first, second] = uploadIds(uid);
  return [`uploads/${uid}/${first}/notes.txt`, `uploads/${uid}/${second}/todo.txt`];
}

/**
 * Everything DESIGN §3 lists for a member: profile, username, thread + messages, and two
 * uploaded files, whose `uploads/{uploadId}` records the intake trigger writes (it is the
 * only writer of that collection), so the seed waits for them.
 */
async function seed(member: Member): Promise<void> {
  const db = getFirestore(admin);
  const { uid, username } = member;
  const batch = db.batch();
  batch.set(db.doc(`users/${uid}`), { username, createdAt: Timestamp.now() });
  batch.set(db.doc(`usernames/${username}`), { uid });
  batch.set(db.doc(`threads/${uid}`), { owner: uid, updatedAt: Timestamp.now() });
  for (const n of [1, 2, 3]) {
    batch.set(db.doc(`threads/${uid}/messages/m${n}`), {
      author: uid,
      text: `message ${n} from ${username}`,
      createdAt: Timestamp.fromMillis(Date.UTC(2026, 0, n)),
    });
  }
  await batch.commit();
  const bucket = getStorage(admin).bucket();
  const [notes, todo] = filePaths(uid) as [string, string];
  await bucket.file(notes).save(Buffer.from('notes'), { contentType: 'text/plain' });
  await bucket.file(todo).save(Buffer.from('todo list'), { contentType: 'text/plain' });
  await expect
    .poll(
      async () => {
        const records = await Promise.all(uploadIds(uid).map((id) => db.doc(`uploads/${id}`).get()));
        return records.map((r) => r.get('status') ?? null);
      },
      { timeout: 20_000, interval: 250 },
    )
    .toEqual(['accepted', 'accepted']);
}

interface Remains {
  authUser: boolean;
  documents: string[];
  files: string[];
}

async function remainsOf(member: Member): Promise<Remains> {
  const db = getFirestore(admin);
  const { uid, username } = member;
  const candidates = [
    `users/${uid}`,
    `usernames/${username}`,
    `threads/${uid}`,
    ...[1, 2, 3].map((n) => `threads/${uid}/messages/m${n}`),
    `rateLimits/exportMyData:${uid}`,
  ];
  const documents: string[] = [];
  for (const path of candidates) if ((await db.doc(path).get()).exists) documents.push(path);
  const uploads = await db.collection('uploads').where('owner', '==', uid).get();
  documents.push(...uploads.docs.map((d) => d.ref.path));
  const [files] = await getStorage(admin)
    .bucket()
    .getFiles({ prefix: `uploads/${uid}/` });
  let authUser = true;
  try {
    await getAuth(admin).getUser(uid);
  } catch {
    authUser = false;
  }
  return { authUser, documents: documents.sort(), files: files.map((f) => f.name).sort() };
}

function everything(member: Member): Remains {
  const { uid, username } = member;
  return {
    authUser: true,
    documents: [
      `threads/${uid}`,
      ...[1, 2, 3].map((n) => `threads/${uid}/messages/m${n}`),
      ...uploadIds(uid).map((id) => `uploads/${id}`),
      `usernames/${username}`,
      `users/${uid}`,
    ].sort(),
    files: filePaths(uid).sort(),
  };
}

/** A raw call with a hand-made emulator token (the Functions emulator does not check signatures). */
async function callWithToken(
  name: string,
  token: string,
  data: unknown,
): Promise<{ status: number; body: unknown }> {
  const ports = localPorts();
  const response = await fetch(`http://${ports.host}:${ports.functions}/${projectId()}/us-central1/${name}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ data }),
  });
  return { status: response.status, body: await response.json() };
}

function withAuthTime(idToken: string, authTimeSeconds: number): string {
  const [header, payload] = idToken.split('.');
  const claims = JSON.parse(Buffer.from(payload as string, 'base64url').toString('utf8')) as Record<
    string,
    unknown
  >;
  claims.auth_time = authTimeSeconds;
  return `${header}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.`;
}

/** The code and message a callable was refused with (Error's message is not enumerable, so toMatchObject skips it). */
async function refusal(call: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await call;
  } catch (error) {
    const { code, message } = error as { code: string; message: string };
    // The web SDK appends the HTTP status to the server's message; compare the server's words.
    return { code, message: message.replace(/ \[\d{3}\]$/, '') };
  }
  throw new Error('The call succeeded but should have been refused');
}

describe('exportMyData', () => {
  it('returns the member’s own data as JSON and nothing of another member', async () => {
    const [alice, bob] = await Promise.all([
      signUpMember({ verified: true }),
      signUpMember({ verified: true }),
    ]);
    await Promise.all([seed(alice), seed(bob)]);

    const data = await alice.call<Record<string, unknown>>('exportMyData');

    expect(data.account).toMatchObject({ uid: alice.uid, email: alice.email, emailVerified: true });
    expect(data.profile).toMatchObject({ username: alice.username });
    expect(typeof (data.profile as { createdAt: unknown }).createdAt).toBe('string');
    expect(data.username).toEqual({ name: alice.username, uid: alice.uid });
    expect(data.thread).toMatchObject({ owner: alice.uid });
    const messages = data.messages as Array<{ id: string; text: string; createdAt: string }>;
    expect(messages.map((m) => m.id).sort()).toEqual(['m1', 'm2', 'm3']);
    expect(messages.find((m) => m.id === 'm2')).toMatchObject({
      text: `message 2 from ${alice.username}`,
      createdAt: '2026-01-02T00:00:00.000Z',
    });
    const uploads = data.uploads as Array<{ id: string; owner: string }>;
    expect(uploads.map((u) => [u.id, u.owner]).sort()).toEqual(
      uploadIds(alice.uid).map((id) => [id, alice.uid]),
    );
    expect((data.files as Array<{ path: string; size: number }>).map((f) => [f.path, f.size]).sort()).toEqual(
      [
        [filePaths(alice.uid)[0], 5],
        [filePaths(alice.uid)[1], 9],
      ],
    );
    expect(JSON.stringify(data)).not.toContain(bob.uid);
  });

  it('allows five exports an hour, refuses the sixth, and deletion clears the counter', async () => {
    const member = await signUpMember({ verified: true });
    await seed(member);
    for (let i = 0; i < 5; i++) await member.call('exportMyData');
    expect(await refusal(member.call('exportMyData'))).toEqual({
      code: 'functions/resource-exhausted',
      message: 'Too many requests. Try again in 60 minutes.',
    });
    expect((await remainsOf(member)).documents).toContain(`rateLimits/exportMyData:${member.uid}`);

    const report = await member.call('deleteMyAccount', { confirm: true });
    expect(report).toEqual({ documents: 9, files: 2, authUser: true });
    expect(await remainsOf(member)).toEqual({ authUser: false, documents: [], files: [] });
  });

  it('refuses a member whose email is not verified', async () => {
    const member = await signUpMember({ verified: false });
    expect(await refusal(member.call('exportMyData'))).toEqual({
      code: 'functions/permission-denied',
      message: 'Verify your email address first.',
    });
  });

  it('answers unexpected input with invalid-argument, not internal', async () => {
    const member = await signUpMember({ verified: true });
    expect(await refusal(member.call('exportMyData', { uid: 'someone-else' }))).toEqual({
      code: 'functions/invalid-argument',
      message: 'exportMyData takes no input.',
    });
  });

  it('refuses anonymous callers', async () => {
    const client = testClient();
    clients.push(client);
    const call = httpsCallable(getFunctions(client.app, 'us-central1'), 'exportMyData');
    await expect(call()).rejects.toMatchObject({ code: 'functions/unauthenticated' });
  });
});

describe('deleteMyAccount', () => {
  it('removes the Auth user, every document and every file of the member, and leaves another member untouched', async () => {
    const [alice, bob] = await Promise.all([
      signUpMember({ verified: true }),
      signUpMember({ verified: true }),
    ]);
    await Promise.all([seed(alice), seed(bob)]);
    expect(await remainsOf(alice)).toEqual(everything(alice));

    const report = await alice.call<{ documents: number; files: number; authUser: boolean }>(
      'deleteMyAccount',
      {
        confirm: true,
      },
    );

    expect(report).toEqual({ documents: 8, files: 2, authUser: true });
    expect(await remainsOf(alice)).toEqual({ authUser: false, documents: [], files: [] });
    expect(await remainsOf(bob)).toEqual(everything(bob));
  });

  it('keeps a code the member redeemed used but no longer naming them, and drops every rate-limit counter', async () => {
    const member = await signUpMember({ verified: true });
    const db = getFirestore(admin);
    const code = db.doc(`accessCodes/deleted-member-test-${member.uid}`);
    await code.set({ premiumDays: 30, redeemedBy: member.uid, redeemedAt: Timestamp.now() });
    const counters = ['redeemAccessCode', 'staffPremium', 'createAccessCodes'].map((action) =>
      db.doc(`rateLimits/${action}:${member.uid}`),
    );
    await Promise.all(counters.map((ref) => ref.set({ hits: [Date.now()] })));

    const report = await member.call('deleteMyAccount', { confirm: true });

    expect(report).toEqual({ documents: 3, files: 0, authUser: true });
    expect((await code.get()).data()).toMatchObject({ premiumDays: 30, redeemedBy: 'deleted-member' });
    for (const ref of counters) expect((await ref.get()).exists).toBe(false);
  });

  it('is harmless to run twice', async () => {
    const member = await signUpMember({ verified: true });
    await seed(member);
    const token = await member.user.getIdToken();

    const first = await callWithToken('deleteMyAccount', token, { confirm: true });
    const second = await callWithToken('deleteMyAccount', token, { confirm: true });

    expect(first).toEqual({ status: 200, body: { result: { documents: 8, files: 2, authUser: true } } });
    expect(second).toEqual({ status: 200, body: { result: { documents: 0, files: 0, authUser: false } } });
    expect(await remainsOf(member)).toEqual({ authUser: false, documents: [], files: [] });
  });

  it('lets an unverified member delete their account (the verification gate offers it)', async () => {
    const member = await signUpMember({ verified: false });
    await seed(member);
    await member.call('deleteMyAccount', { confirm: true });
    expect(await remainsOf(member)).toEqual({ authUser: false, documents: [], files: [] });
  });

  it('asks for a fresh sign-in when the last one is more than five minutes old, and deletes nothing', async () => {
    const member = await signUpMember({ verified: true });
    await seed(member);
    const stale = withAuthTime(await member.user.getIdToken(), Math.floor(Date.now() / 1000) - 6 * 60);

    const response = await callWithToken('deleteMyAccount', stale, { confirm: true });

    expect(response).toEqual({
      status: 400,
      body: { error: { status: 'FAILED_PRECONDITION', message: 'Sign in again to delete your account.' } },
    });
    expect(await remainsOf(member)).toEqual(everything(member));
  });

  it('needs an explicit confirmation', async () => {
    const member = await signUpMember({ verified: true });
    expect(await refusal(member.call('deleteMyAccount'))).toEqual({
      code: 'functions/invalid-argument',
      message: 'Confirm that you want to delete your account.',
    });
    expect(await refusal(member.call('deleteMyAccount', { confirm: true, uid: 'victim' }))).toEqual({
      code: 'functions/invalid-argument',
      message: 'Unexpected field: uid.',
    });
    expect((await remainsOf(member)).authUser).toBe(true);
  });
});
