import { randomUUID } from 'node:crypto';
import { type App, deleteApp } from 'firebase-admin/app';
import { getFirestore } from 'firebase-admin/firestore';
import { getStorage as getAdminStorage } from 'firebase-admin/storage';
import {
  connectStorageEmulator,
  getBytes,
  getDownloadURL,
  getMetadata,
  getStorage,
  ref,
} from 'firebase/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localPorts, projectId } from '../../scripts/lib/project.js';
import { text } from '../../functions/src/intake/test-support/corpus.js';
import { downloadThroughFunction } from '../support/downloads.js';
import {
  adminApp,
  createMember,
  type Member,
  requireBackendEnv,
  type StaffSession,
  staffWithSecondFactor,
} from '../support/premium.js';

// Issue 15 items 2 and 3, against the running stack: premium files and attachments are read only
// through the downloadFile function, which checks the caller's current entitlement and the
// intake's verdict; no client can mint or keep a token-bearing public URL for them.

let admin: App;
let staff: StaffSession;
const members: Member[] = [];
const ports = localPorts();
const bucketName = `${projectId()}.appspot.com`;
const WEBM = Uint8Array.from([0x1a, 0x45, 0xdf, 0xa3, ...Array.from({ length: 60 }, (_, i) => i)]);

beforeAll(async () => {
  requireBackendEnv();
  admin = adminApp('downloads');
  staff = await staffWithSecondFactor(admin);
});
afterAll(async () => {
  await Promise.all(members.splice(0).map((m) => m.close()));
  if (admin) await deleteApp(admin);
});

async function member(): Promise<Member> {
  const m = await createMember(admin, { prefix: 'download' });
  members.push(m);
  return m;
}

function storageOf(m: Member) {
  const storage = getStorage(m.app, `gs://${bucketName}`);
  connectStorageEmulator(storage, ports.host, ports.storage);
  return storage;
}

const download = downloadThroughFunction;

async function premiumFile(): Promise<string> {
  const path = `content/premium/test-${randomUUID()}.webm`;
  await getAdminStorage(admin).bucket(bucketName).file(path).save(Buffer.from(WEBM), {
    contentType: 'video/webm',
    resumable: false,
  });
  return path;
}

/** The public, rules-free URL a download token gives. */
const tokenUrl = (path: string, token: string) =>
  `http://${ports.host}:${ports.storage}/v0/b/${bucketName}/o/${encodeURIComponent(path)}?alt=media&token=${token}`;

async function eventually(check: () => Promise<boolean>, what: string, timeoutMs = 25_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe('premium files', () => {
  it('are served to a member with premium, whole or by range, and to nobody without', async () => {
    const path = await premiumFile();
    const m = await member();
    const before = await download(path, await m.user.getIdToken());
    expect(before.status).toBe(403);
    expect(await before.json()).toEqual({
      error: { status: 'PERMISSION_DENIED', message: 'Premium access is needed for that file.' },
    });

    await staff.call('grantPremium', { member: m.email, days: 30 });
    const whole = await download(path, await m.user.getIdToken());
    expect(whole.status).toBe(200);
    expect(whole.headers.get('content-type')).toBe('video/webm');
    expect(whole.headers.get('cache-control')).toBe('private, no-store');
    expect([...new Uint8Array(await whole.arrayBuffer())]).toEqual([...WEBM]);

    const part = await download(path, await m.user.getIdToken(), { range: 'bytes=4-9' });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 4-9/${WEBM.length}`);
    expect([...new Uint8Array(await part.arrayBuffer())]).toEqual([...WEBM.slice(4, 10)]);

    expect((await download(path)).status).toBe(401);
    expect((await download(path, 'not-a-token')).status).toBe(401);
    expect((await download('content/premium/../free/x', await m.user.getIdToken())).status).toBe(400);
  });

  it('stop at once when staff revoke, whatever token the member still holds (item 3)', async () => {
    const path = await premiumFile();
    const m = await member();
    await staff.call('grantPremium', { member: m.email, days: null });
    const withPremium = await m.user.getIdToken(true);
    expect((await m.user.getIdTokenResult()).claims.premium).toBe(true);
    expect((await download(path, withPremium)).status).toBe(200);

    await staff.call('revokePremium', { member: m.email });
    // The same, unrefreshed token still says premium; the function reads the record instead.
    const refused = await download(path, withPremium);
    expect(refused.status).toBe(403);
    // And Storage itself gives no client these bytes, with any claims.
    await expect(getBytes(ref(storageOf(m), path))).rejects.toMatchObject({ code: 'storage/unauthorized' });
  });

  it('give no client a download token, and tokens that appear are removed (item 2)', async () => {
    const path = await premiumFile();
    const m = await member();
    await staff.call('grantPremium', { member: m.email, days: 30 });
    await m.user.getIdToken(true);
    // What getDownloadURL does: read the metadata, where Storage mints a token on first read.
    await expect(getMetadata(ref(storageOf(m), path))).rejects.toMatchObject({
      code: 'storage/unauthorized',
    });
    await expect(getDownloadURL(ref(storageOf(m), path))).rejects.toMatchObject({
      code: 'storage/unauthorized',
    });

    // A token added some other way (the console, an old upload) is revoked by the trigger.
    const file = getAdminStorage(admin).bucket(bucketName).file(path);
    const token = randomUUID();
    await file.setMetadata({ metadata: { firebaseStorageDownloadTokens: token } });
    await eventually(
      async () => (await fetch(tokenUrl(path, token))).status === 403,
      'the token to be revoked',
    );
    const [metadata] = await file.getMetadata();
    expect(metadata.metadata?.firebaseStorageDownloadTokens ?? null).toBeNull();
  });
});

describe('attachments', () => {
  /** An upload the way a browser client makes it, over the Firebase API, keeping the answer's token. */
  async function uploadAsMember(m: Member, name: string, bytes: Uint8Array) {
    const id = randomUUID().replaceAll('-', '');
    const path = `uploads/${m.uid}/${id}/${name}`;
    const response = await fetch(
      `http://${ports.host}:${ports.storage}/v0/b/${bucketName}/o?name=${encodeURIComponent(path)}`,
      {
        method: 'POST',
        headers: { authorization: `Firebase ${await m.user.getIdToken()}`, 'content-type': 'text/plain' },
        body: Buffer.from(bytes),
      },
    );
    expect(response.status).toBe(200);
    const { downloadTokens } = (await response.json()) as { downloadTokens?: string };
    const record = getFirestore(admin).doc(`uploads/${id}`);
    await eventually(async () => (await record.get()).exists, 'the intake verdict');
    return { id, path, tokens: downloadTokens ?? '' };
  }

  it('are served to their member and staff once accepted, under the intake’s name and type', async () => {
    const owner = await member();
    const other = await member();
    const { path } = await uploadAsMember(owner, 'Invoice-2026\u202Efdp.bat', text());

    const mine = await download(path, await owner.user.getIdToken());
    expect(mine.status).toBe(200);
    expect(mine.headers.get('content-type')).toMatch(/^text\/plain(;|$)/);
    const disposition = mine.headers.get('content-disposition') ?? '';
    expect(disposition.startsWith('attachment;')).toBe(true);
    expect(disposition).not.toContain('%E2%80%AE');
    expect(disposition).toMatch(/\.txt$/);
    expect((await download(path, staff.idToken)).status).toBe(200);
    expect((await download(path, await other.user.getIdToken())).status).toBe(403);
    await expect(getBytes(ref(storageOf(owner), path))).rejects.toMatchObject({
      code: 'storage/unauthorized',
    });
  });

  it('keep no download token from the upload once the intake has answered', async () => {
    const owner = await member();
    const { path, tokens } = await uploadAsMember(owner, 'notes.txt', text());
    expect(tokens).not.toBe('');
    for (const token of tokens.split(',').filter(Boolean)) {
      await eventually(
        async () => (await fetch(tokenUrl(path, token))).status === 403,
        'the upload token to go',
      );
    }
    const [metadata] = await getAdminStorage(admin).bucket(bucketName).file(path).getMetadata();
    expect(metadata.metadata?.firebaseStorageDownloadTokens ?? null).toBeNull();
  });

  it('are not served before the intake has accepted them', async () => {
    const owner = await member();
    const id = randomUUID().replaceAll('-', '');
    // Written straight to Storage outside uploads/{uid}/{id}/{name}'s trigger reach: no record.
    const path = `uploads/${owner.uid}/${id}/later.txt`;
    await getFirestore(admin)
      .doc(`uploads/${id}`)
      .set({ owner: owner.uid, path: `${path}.other`, status: 'accepted' });
    const answer = await download(path, await owner.user.getIdToken());
    expect(answer.status).toBe(400);
    expect((await answer.json()).error.status).toBe('FAILED_PRECONDITION');
  });
});
