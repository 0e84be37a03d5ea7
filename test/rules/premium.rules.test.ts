import {
  assertFails,
  assertSucceeds,
  type RulesTestContext,
  type RulesTestEnvironment,
} from '@firebase/rules-unit-testing';
import {
  collection,
  deleteDoc,
  doc,
  type Firestore,
  getDoc,
  getDocs,
  serverTimestamp,
  setDoc,
  Timestamp,
  updateDoc,
  writeBatch,
} from 'firebase/firestore';
import {
  deleteObject,
  type FirebaseStorage,
  getBytes,
  getMetadata,
  listAll,
  ref,
  uploadBytes,
} from 'firebase/storage';
import { projectRulesTestEnvironment } from '../support/rules-env.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// Issue 7's rules matrix: the library catalogue, access codes, the audit log and the premium
// summary in Firestore, and the free and premium library files in Storage, for every role.
type Role =
  | 'signed out'
  | 'unverified'
  | 'member'
  | 'premium member'
  | 'premium until tomorrow'
  | 'premium expired'
  | 'staff with second factor'
  | 'staff without second factor';
type Outcome = 'allow' | 'deny';

const ROLES: Role[] = [
  'signed out',
  'unverified',
  'member',
  'premium member',
  'premium until tomorrow',
  'premium expired',
  'staff with second factor',
  'staff without second factor',
];

const nowSeconds = (): number => Math.floor(Date.now() / 1000);
const MFA = { sign_in_provider: 'password' as const, sign_in_second_factor: 'phone' };
const PASSWORD_ONLY = { sign_in_provider: 'password' as const };

let env: RulesTestEnvironment;

function context(role: Role): RulesTestContext {
  const verified = { email_verified: true, firebase: PASSWORD_ONLY };
  switch (role) {
    case 'signed out':
      return env.unauthenticatedContext();
    case 'unverified':
      // Even a premium claim does not open anything before verification.
      return env.authenticatedContext('newbie', {
        email_verified: false,
        premium: true,
        firebase: PASSWORD_ONLY,
      });
    case 'member':
      return env.authenticatedContext('alice', verified);
    case 'premium member':
      return env.authenticatedContext('carol', { ...verified, premium: true });
    case 'premium until tomorrow':
      return env.authenticatedContext('dave', {
        ...verified,
        premium: true,
        premiumUntil: nowSeconds() + 86_400,
      });
    case 'premium expired':
      return env.authenticatedContext('erin', {
        ...verified,
        premium: true,
        premiumUntil: nowSeconds() - 60,
      });
    case 'staff with second factor':
      return env.authenticatedContext('sam', { email_verified: true, staff: true, firebase: MFA });
    case 'staff without second factor':
      return env.authenticatedContext('sid', { email_verified: true, staff: true, firebase: PASSWORD_ONLY });
  }
}

const db = (role: Role): Firestore => context(role).firestore() as unknown as Firestore;
const bucket = (role: Role): FirebaseStorage => context(role).storage() as unknown as FirebaseStorage;

async function expectOutcome(outcome: Outcome, attempt: () => Promise<unknown>): Promise<void> {
  if (outcome === 'allow') await assertSucceeds(attempt());
  else await assertFails(attempt());
}

/** Rows of the matrix: the roles allowed; every other role must be denied. */
function matrix(allowed: Role[]): Array<[Role, Outcome]> {
  return ROLES.map((role) => [role, allowed.includes(role) ? 'allow' : 'deny']);
}

const VERIFIED: Role[] = ROLES.filter((r) => r !== 'signed out' && r !== 'unverified');
const NOBODY: Role[] = [];
const PDF = new TextEncoder().encode('%PDF-1.4 free guide');
const WEBM = Uint8Array.from([0x1a, 0x45, 0xdf, 0xa3, 1, 2, 3]);

beforeAll(async () => {
  env = await projectRulesTestEnvironment();
  await env.clearFirestore();
  await env.clearStorage();
  await env.withSecurityRulesDisabled(async (admin) => {
    const store = admin.firestore() as unknown as Firestore;
    await setDoc(doc(store, 'content/guide'), {
      title: 'Guide',
      description: 'Free',
      tier: 'free',
      kind: 'pdf',
      storagePath: 'content/free/guide.pdf',
      size: PDF.length,
    });
    await setDoc(doc(store, 'content/tutorial'), {
      title: 'Tutorial',
      description: 'Premium',
      tier: 'premium',
      kind: 'video',
      storagePath: 'content/premium/tutorial.webm',
      size: WEBM.length,
    });
    await setDoc(doc(store, 'accessCodes/abc123'), {
      expiresAt: Timestamp.fromMillis(Date.now() + 86_400_000),
      premiumDays: 30,
      redeemedBy: null,
    });
    await setDoc(doc(store, 'audit/e1'), {
      actor: 'sam',
      action: 'premium.grant',
      subject: 'alice',
      at: Timestamp.now(),
    });
    await setDoc(doc(store, 'rateLimits/redeemAccessCode:alice'), { windowStart: Date.now(), count: 1 });
    await setDoc(doc(store, 'claimChanges/alice'), { at: Timestamp.now() });
    await setDoc(doc(store, 'claimChanges/newbie'), { at: Timestamp.now() });
    await setDoc(doc(store, 'users/alice'), { username: 'alice', createdAt: Timestamp.now() });
    await setDoc(doc(store, 'usernames/alice'), { uid: 'alice' });
    await setDoc(doc(store, 'entitlements/alice'), { active: true, until: null, source: 'staff' });
    const files = admin.storage() as unknown as FirebaseStorage;
    await uploadBytes(ref(files, 'content/free/guide.pdf'), PDF, { contentType: 'application/pdf' });
    await uploadBytes(ref(files, 'content/premium/tutorial.webm'), WEBM, { contentType: 'video/webm' });
  });
});
afterAll(async () => {
  await env?.cleanup();
});

describe('content/{id} (library catalogue)', () => {
  it.each(matrix(VERIFIED))('get: %s → %s', async (role, outcome) => {
    await expectOutcome(outcome, () => getDoc(doc(db(role), 'content/tutorial')));
  });

  it.each(matrix(VERIFIED))('list: %s → %s', async (role, outcome) => {
    await expectOutcome(outcome, () => getDocs(collection(db(role), 'content')));
  });

  it.each(matrix(NOBODY))('create: %s → %s', async (role, outcome) => {
    await expectOutcome(outcome, () =>
      setDoc(doc(db(role), 'content/new'), {
        title: 'x',
        tier: 'free',
        kind: 'text',
        storagePath: 'x',
        size: 1,
      }),
    );
  });

  it.each(matrix(NOBODY))('update (tier to free): %s → %s', async (role, outcome) => {
    await expectOutcome(outcome, () => updateDoc(doc(db(role), 'content/tutorial'), { tier: 'free' }));
  });

  it.each(matrix(NOBODY))('delete: %s → %s', async (role, outcome) => {
    await expectOutcome(outcome, () => deleteDoc(doc(db(role), 'content/guide')));
  });

  it('lists both the free and the premium entry for a plain member', async () => {
    const snapshot = await getDocs(collection(db('member'), 'content'));
    expect(snapshot.docs.map((d) => d.id).sort()).toEqual(['guide', 'tutorial']);
  });
});

describe('accessCodes/{hash} (functions only)', () => {
  it.each(matrix(NOBODY))('get: %s → %s', async (role, outcome) => {
    await expectOutcome(outcome, () => getDoc(doc(db(role), 'accessCodes/abc123')));
  });

  it.each(matrix(NOBODY))('list: %s → %s', async (role, outcome) => {
    await expectOutcome(outcome, () => getDocs(collection(db(role), 'accessCodes')));
  });

  it.each(matrix(NOBODY))('create (mint a code): %s → %s', async (role, outcome) => {
    await expectOutcome(outcome, () =>
      setDoc(doc(db(role), 'accessCodes/forged'), {
        expiresAt: Timestamp.now(),
        premiumDays: null,
        redeemedBy: null,
      }),
    );
  });

  it.each(matrix(NOBODY))('update (un-redeem): %s → %s', async (role, outcome) => {
    await expectOutcome(outcome, () => updateDoc(doc(db(role), 'accessCodes/abc123'), { redeemedBy: null }));
  });
});

describe('audit/{id} (staff read, nobody writes)', () => {
  it.each(matrix(['staff with second factor']))('get: %s → %s', async (role, outcome) => {
    await expectOutcome(outcome, () => getDoc(doc(db(role), 'audit/e1')));
  });

  it.each(matrix(['staff with second factor']))('list: %s → %s', async (role, outcome) => {
    await expectOutcome(outcome, () => getDocs(collection(db(role), 'audit')));
  });

  it.each(matrix(NOBODY))('create: %s → %s', async (role, outcome) => {
    await expectOutcome(outcome, () =>
      setDoc(doc(db(role), 'audit/forged'), {
        actor: 'x',
        action: 'premium.grant',
        subject: 'x',
        at: serverTimestamp(),
      }),
    );
  });

  it.each(matrix(NOBODY))('update: %s → %s', async (role, outcome) => {
    await expectOutcome(outcome, () => updateDoc(doc(db(role), 'audit/e1'), { action: 'nothing' }));
  });

  it.each(matrix(NOBODY))('delete: %s → %s', async (role, outcome) => {
    await expectOutcome(outcome, () => deleteDoc(doc(db(role), 'audit/e1')));
  });
});

describe('rateLimits/{key} (functions only)', () => {
  it.each(matrix(NOBODY))('reset own counter: %s → %s', async (role, outcome) => {
    await expectOutcome(outcome, () =>
      setDoc(doc(db(role), 'rateLimits/redeemAccessCode:alice'), { count: 0 }),
    );
  });

  it.each(matrix(NOBODY))('get: %s → %s', async (role, outcome) => {
    await expectOutcome(outcome, () => getDoc(doc(db(role), 'rateLimits/redeemAccessCode:alice')));
  });
});

describe('entitlements/{uid} (written by functions only; issue 15)', () => {
  it.each(matrix(['member', 'staff with second factor']))('get alice: %s → %s', async (role, outcome) => {
    await expectOutcome(outcome, () => getDoc(doc(db(role), 'entitlements/alice')));
  });

  it.each(matrix(['staff with second factor']))('list: %s → %s', async (role, outcome) => {
    await expectOutcome(outcome, () => getDocs(collection(db(role), 'entitlements')));
  });

  // 'member' is alice, so this row is a member granting herself premium.
  it.each(matrix(NOBODY))('write alice: %s → %s', async (role, outcome) => {
    await expectOutcome(outcome, () =>
      setDoc(doc(db(role), 'entitlements/alice'), { active: true, until: null, source: 'code' }),
    );
  });
});

describe('claimChanges/{uid} (stamped by functions when claims change; the owner reads it to refresh a stale token)', () => {
  it.each(matrix(['member']))('get alice: %s → %s', async (role, outcome) => {
    await expectOutcome(outcome, () => getDoc(doc(db(role), 'claimChanges/alice')));
  });

  it('an unverified owner may read their own stamp (the token that says "unverified" may be the stale one)', async () => {
    await assertSucceeds(getDoc(doc(db('unverified'), 'claimChanges/newbie')));
  });

  it.each(matrix(NOBODY))('list: %s → %s', async (role, outcome) => {
    await expectOutcome(outcome, () => getDocs(collection(db(role), 'claimChanges')));
  });

  // A member moving their own stamp could only cost themselves a refresh, but nobody needs to.
  it.each(matrix(NOBODY))('write alice: %s → %s', async (role, outcome) => {
    await expectOutcome(outcome, () => setDoc(doc(db(role), 'claimChanges/alice'), { at: Timestamp.now() }));
  });
});

describe('users/{uid}.premium (written by functions only)', () => {
  it.each(matrix(NOBODY))('owner or anyone sets alice.premium: %s → %s', async (role, outcome) => {
    await expectOutcome(outcome, () =>
      updateDoc(doc(db(role), 'users/alice'), { premium: { active: true, until: null, source: 'code' } }),
    );
  });

  it('the member cannot write premium into their own profile, even at sign-up', async () => {
    const store = env
      .authenticatedContext('frank', { email_verified: true })
      .firestore() as unknown as Firestore;
    const signUp = (extra: Record<string, unknown>) => {
      const batch = writeBatch(store);
      batch.set(doc(store, 'users/frank'), { username: 'frank', createdAt: serverTimestamp(), ...extra });
      batch.set(doc(store, 'usernames/frank'), { uid: 'frank' });
      return batch.commit();
    };
    await assertFails(signUp({ premium: { active: true, until: null, source: 'code' } }));
    // The same batch without the premium field is allowed, so the denial above is about premium.
    await assertSucceeds(signUp({}));
    await assertFails(updateDoc(doc(store, 'users/frank'), { premium: { active: true } }));
  });
});

describe('Storage content/free/…', () => {
  it.each(matrix(VERIFIED))('download: %s → %s', async (role, outcome) => {
    await expectOutcome(outcome, () => getBytes(ref(bucket(role), 'content/free/guide.pdf')));
  });

  it.each(matrix(['staff with second factor']))('upload: %s → %s', async (role, outcome) => {
    await expectOutcome(outcome, () =>
      uploadBytes(ref(bucket(role), `content/free/new-${role.replace(/ /g, '-')}.txt`), new Uint8Array([1]), {
        contentType: 'text/plain',
      }),
    );
  });

  it('a member receives the exact bytes', async () => {
    const bytes = new Uint8Array(await getBytes(ref(bucket('member'), 'content/free/guide.pdf')));
    expect([...bytes]).toEqual([...PDF]);
  });
});

describe('Storage content/premium/…', () => {
  // Issue 15: no client reads premium bytes from Storage, not even premium members or staff. A
  // metadata read is what mints a public download token (getDownloadURL), and a claim in an
  // unrefreshed token would outlive a revoke; premium bytes go through the downloadFile function.
  it.each(matrix(NOBODY))('download: %s → %s', async (role, outcome) => {
    await expectOutcome(outcome, () => getBytes(ref(bucket(role), 'content/premium/tutorial.webm')));
  });

  it.each(matrix(NOBODY))('metadata (what getDownloadURL reads): %s → %s', async (role, outcome) => {
    await expectOutcome(outcome, () => getMetadata(ref(bucket(role), 'content/premium/tutorial.webm')));
  });

  it.each(matrix(['staff with second factor']))('overwrite: %s → %s', async (role, outcome) => {
    await expectOutcome(outcome, () =>
      uploadBytes(ref(bucket(role), 'content/premium/tutorial.webm'), WEBM, { contentType: 'video/webm' }),
    );
  });

  it.each(matrix(['staff with second factor']))(
    'delete a staff-published file: %s → %s',
    async (role, outcome) => {
      await env.withSecurityRulesDisabled(async (admin) => {
        await uploadBytes(
          ref(admin.storage() as unknown as FirebaseStorage, 'content/premium/old.txt'),
          new Uint8Array([1]),
        );
      });
      await expectOutcome(outcome, () => deleteObject(ref(bucket(role), 'content/premium/old.txt')));
    },
  );

  it.each(matrix(NOBODY))('list the premium folder: %s → %s', async (role, outcome) => {
    await expectOutcome(outcome, () => listAll(ref(bucket(role), 'content/premium')));
  });
});
