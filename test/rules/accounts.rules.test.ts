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
  query,
  serverTimestamp,
  setDoc,
  Timestamp,
  updateDoc,
  where,
  writeBatch,
} from 'firebase/firestore';
import { projectRulesTestEnvironment } from '../support/rules-env.js';
import { afterAll, beforeAll, beforeEach, describe, it } from 'vitest';

// Every persona of DESIGN §2 against users/ and usernames/. Alice is the owner of the seeded
// profile; the other personas have no profile yet, so "create" means creating their own.
type Persona = 'signed out' | 'unverified' | 'owner' | 'other member' | 'premium member' | 'staff';
type Outcome = 'allow' | 'deny';

const UIDS: Record<Persona, string> = {
  'signed out': 'ghost',
  unverified: 'newbie',
  owner: 'alice',
  'other member': 'bob',
  'premium member': 'carol',
  staff: 'sam',
};

let env: RulesTestEnvironment;

beforeAll(async () => {
  env = await projectRulesTestEnvironment();
});
afterAll(async () => {
  await env?.cleanup();
});
beforeEach(async () => {
  await env.clearFirestore();
  await env.withSecurityRulesDisabled(async (context) => {
    const db = context.firestore();
    await setDoc(doc(db, 'users/alice'), { username: 'alice', createdAt: Timestamp.now() });
    await setDoc(doc(db, 'usernames/alice'), { uid: 'alice' });
  });
});

function context(persona: Persona, extra: Record<string, unknown> = {}): RulesTestContext {
  const uid = UIDS[persona];
  switch (persona) {
    case 'signed out':
      return env.unauthenticatedContext();
    case 'unverified':
      return env.authenticatedContext(uid, { email_verified: false, ...extra });
    case 'premium member':
      return env.authenticatedContext(uid, { email_verified: true, premium: true, ...extra });
    case 'staff': {
      // The token type only names sign_in_provider; the second factor rides along as in real tokens.
      const firebase = { sign_in_provider: 'password' as const, sign_in_second_factor: 'phone' };
      return env.authenticatedContext(uid, { email_verified: true, staff: true, firebase, ...extra });
    }
    default:
      return env.authenticatedContext(uid, { email_verified: true, ...extra });
  }
}

function db(persona: Persona): Firestore {
  return context(persona).firestore() as unknown as Firestore;
}

/** The sign-up batch the web client sends: profile and username claim together. */
function signUpBatch(
  firestore: Firestore,
  uid: string,
  name: string,
  options: { profile?: Record<string, unknown>; claim?: Record<string, unknown>; profileName?: string } = {},
) {
  const batch = writeBatch(firestore);
  batch.set(doc(firestore, `users/${uid}`), {
    username: options.profileName ?? name,
    createdAt: serverTimestamp(),
    ...options.profile,
  });
  batch.set(doc(firestore, `usernames/${name}`), { uid, ...options.claim });
  return batch.commit();
}

async function expectOutcome(outcome: Outcome, attempt: Promise<unknown>): Promise<void> {
  if (outcome === 'allow') await assertSucceeds(attempt);
  else await assertFails(attempt);
}

type Operation = 'get' | 'list' | 'create' | 'update' | 'delete';
const OPERATIONS: Record<'users' | 'usernames', Record<Operation, (persona: Persona) => Promise<unknown>>> = {
  users: {
    get: (p) => getDoc(doc(db(p), 'users/alice')),
    list: (p) => getDocs(collection(db(p), 'users')),
    create: (p) => signUpBatch(db(p), UIDS[p], `name_${UIDS[p]}`),
    update: (p) => updateDoc(doc(db(p), 'users/alice'), { createdAt: serverTimestamp() }),
    delete: (p) => deleteDoc(doc(db(p), 'users/alice')),
  },
  usernames: {
    get: (p) => getDoc(doc(db(p), 'usernames/alice')),
    list: (p) => getDocs(query(collection(db(p), 'usernames'), where('uid', '==', 'alice'))),
    create: (p) => signUpBatch(db(p), UIDS[p], `name_${UIDS[p]}`),
    update: (p) => setDoc(doc(db(p), 'usernames/alice'), { uid: UIDS[p] }),
    delete: (p) => deleteDoc(doc(db(p), 'usernames/alice')),
  },
};

// Expected outcome per collection, operation and persona (columns in the order of PERSONAS).
const PERSONAS: Persona[] = ['signed out', 'unverified', 'owner', 'other member', 'premium member', 'staff'];
const MATRIX: Record<'users' | 'usernames', Record<Operation, Outcome[]>> = {
  users: {
    // Reading a profile needs a verified owner or staff with a second factor.
    get: ['deny', 'deny', 'allow', 'deny', 'deny', 'allow'],
    list: ['deny', 'deny', 'deny', 'deny', 'deny', 'allow'],
    // Everyone signed in may create their own profile once, verified or not; Alice already has one.
    create: ['deny', 'allow', 'deny', 'allow', 'allow', 'allow'],
    update: ['deny', 'deny', 'deny', 'deny', 'deny', 'deny'],
    delete: ['deny', 'deny', 'deny', 'deny', 'deny', 'deny'],
  },
  usernames: {
    get: ['deny', 'deny', 'allow', 'deny', 'deny', 'allow'],
    list: ['deny', 'deny', 'deny', 'deny', 'deny', 'allow'],
    create: ['deny', 'allow', 'deny', 'allow', 'allow', 'allow'],
    update: ['deny', 'deny', 'deny', 'deny', 'deny', 'deny'],
    delete: ['deny', 'deny', 'deny', 'deny', 'deny', 'deny'],
  },
};

const cases = (['users', 'usernames'] as const).flatMap((path) =>
  (Object.keys(MATRIX[path]) as Operation[]).flatMap((operation) =>
    PERSONAS.map((persona, column) => {
      const outcome = MATRIX[path][operation][column] as Outcome;
      return { name: `${path}: ${persona} ${operation} → ${outcome}`, path, operation, persona, outcome };
    }),
  ),
);

describe('users/ and usernames/ access matrix', () => {
  it.each(cases)('$name', async ({ path, operation, persona, outcome }) => {
    await expectOutcome(outcome, OPERATIONS[path][operation](persona));
  });
});

const FORGED: Array<{ name: string; outcome: Outcome; attempt: () => Promise<unknown> }> = [
  {
    name: 'a clean sign-up batch by an unverified member → allow (control)',
    outcome: 'allow',
    attempt: () => signUpBatch(db('unverified'), 'newbie', 'new_bie_1'),
  },
  {
    name: 'profile with premium: true → deny',
    outcome: 'deny',
    attempt: () => signUpBatch(db('unverified'), 'newbie', 'newbie', { profile: { premium: true } }),
  },
  {
    name: 'profile with a premium summary map → deny',
    outcome: 'deny',
    attempt: () =>
      signUpBatch(db('other member'), 'bob', 'bob', { profile: { premium: { active: true, until: null } } }),
  },
  {
    name: 'premium member copying their claim into the profile → deny',
    outcome: 'deny',
    attempt: () => signUpBatch(db('premium member'), 'carol', 'carol', { profile: { premiumUntil: 1 } }),
  },
  {
    name: 'profile for someone else’s uid → deny',
    outcome: 'deny',
    attempt: () => signUpBatch(db('other member'), 'dave', 'dave'),
  },
  {
    name: 'username claim naming someone else’s uid → deny',
    outcome: 'deny',
    attempt: () => signUpBatch(db('other member'), 'bob', 'bob', { claim: { uid: 'alice' } }),
  },
  {
    name: 'username claim with an extra field → deny',
    outcome: 'deny',
    attempt: () => signUpBatch(db('other member'), 'bob', 'bob', { claim: { admin: true } }),
  },
  {
    name: 'claiming a taken username (case-insensitive duplicate of alice) → deny',
    outcome: 'deny',
    attempt: () => signUpBatch(db('other member'), 'bob', 'alice'),
  },
  {
    name: 'username as typed in the profile (Bob_B), its lower-case form as the claim → allow',
    outcome: 'allow',
    attempt: () => signUpBatch(db('other member'), 'bob', 'bob_b', { profileName: 'Bob_B' }),
  },
  {
    name: 'claim id with capitals (usernames/Bobby), so a case variant could be claimed twice → deny',
    outcome: 'deny',
    attempt: () => signUpBatch(db('other member'), 'bob', 'Bobby'),
  },
  {
    name: 'profile ALICE with the claim alice already taken → deny',
    outcome: 'deny',
    attempt: () => signUpBatch(db('other member'), 'bob', 'alice', { profileName: 'ALICE' }),
  },
  {
    name: 'profile username with a character outside letters, digits, underscore → deny',
    outcome: 'deny',
    attempt: () => signUpBatch(db('other member'), 'bob', 'bob-b', { profileName: 'Bob-B' }),
  },
  {
    name: 'username of 2 characters → deny',
    outcome: 'deny',
    attempt: () => signUpBatch(db('other member'), 'bob', 'bo'),
  },
  {
    name: 'username of 21 characters → deny',
    outcome: 'deny',
    attempt: () => signUpBatch(db('other member'), 'bob', 'b'.repeat(21)),
  },
  {
    name: 'profile naming a different username than the claim → deny',
    outcome: 'deny',
    attempt: () => signUpBatch(db('other member'), 'bob', 'bob_claim', { profileName: 'bob_profile' }),
  },
  {
    name: 'createdAt set by the client clock instead of request.time → deny',
    outcome: 'deny',
    attempt: () =>
      signUpBatch(db('other member'), 'bob', 'bob', { profile: { createdAt: Timestamp.fromMillis(0) } }),
  },
  {
    name: 'profile without its username claim in the same batch → deny',
    outcome: 'deny',
    attempt: () =>
      setDoc(doc(db('other member'), 'users/bob'), { username: 'bob', createdAt: serverTimestamp() }),
  },
  {
    name: 'username claim without a profile → deny',
    outcome: 'deny',
    attempt: () => setDoc(doc(db('other member'), 'usernames/bob'), { uid: 'bob' }),
  },
  {
    name: 'owner claiming a second username after sign-up → deny',
    outcome: 'deny',
    attempt: () => setDoc(doc(db('owner'), 'usernames/alice_two'), { uid: 'alice' }),
  },
  {
    name: 'owner changing their username → deny',
    outcome: 'deny',
    attempt: () => updateDoc(doc(db('owner'), 'users/alice'), { username: 'alice_new' }),
  },
  {
    name: 'owner granting themselves premium → deny',
    outcome: 'deny',
    attempt: () => updateDoc(doc(db('owner'), 'users/alice'), { premium: true }),
  },
  {
    name: 'staff writing the premium summary from the client → deny',
    outcome: 'deny',
    attempt: () => updateDoc(doc(db('staff'), 'users/alice'), { premium: true }),
  },
  {
    name: 'staff claim without a second factor reading a profile → deny',
    outcome: 'deny',
    attempt: () =>
      getDoc(
        doc(
          env
            .authenticatedContext('sam', { email_verified: true, staff: true })
            .firestore() as unknown as Firestore,
          'users/alice',
        ),
      ),
  },
  {
    name: 'owner reading their profile after verification → allow (control)',
    outcome: 'allow',
    attempt: () => getDoc(doc(db('owner'), 'users/alice')),
  },
];

describe('forged and invalid writes', () => {
  it.each(FORGED)('$name', async ({ outcome, attempt }) => {
    await expectOutcome(outcome, attempt());
  });
});
