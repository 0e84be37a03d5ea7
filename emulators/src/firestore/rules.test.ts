/**
 * Security Rules enforcement through @firebase/rules-unit-testing (full SDK over gRPC, 'owner'
 * bypass, PUT …:securityRules, DELETE …/documents) and over REST with Auth-emulator style tokens.
 */
import {
  assertFails,
  assertSucceeds,
  initializeTestEnvironment,
  type RulesTestEnvironment,
} from '@firebase/rules-unit-testing';
import {
  collection,
  deleteDoc,
  doc,
  getDoc,
  getDocs,
  query,
  serverTimestamp,
  setDoc,
  setLogLevel,
  updateDoc,
  where,
  writeBatch,
} from 'firebase/firestore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FirestoreEmulatorHandle } from './index.js';
import { docsUrl, mockIdToken, rest, startTestEmulator } from './test-support/clients.js';

const RULES = `rules_version = '2';
service cloud.firestore {
  match /databases/{database}/documents {
    match /users/{uid} {
      allow read: if request.auth != null && request.auth.uid == uid;
      allow create: if request.auth.uid == uid && request.resource.data.name is string;
      allow update: if request.auth.uid == uid
        && request.resource.data.diff(resource.data).affectedKeys().hasOnly(['name']);
    }
    match /posts/{id} {
      allow get: if true;
      allow list: if resource.data.owner == request.auth.uid;
      allow create: if request.resource.data.owner == request.auth.uid
        && request.resource.data.createdAt == request.time;
    }
    match /rooms/{room} {
      allow create: if getAfter(/databases/$(database)/documents/roomIndex/$(room)).data.open == true;
    }
    match /roomIndex/{room} {
      allow create: if request.auth != null;
    }
    match /staffOnly/{id} {
      allow read: if request.auth.token.staff == true;
    }
    match /profiles/{uid} {
      allow create, update: if request.auth.uid == uid;
    }
    match /chats/{chat} {
      allow list: if request.auth.uid in resource.data.members && resource.data.sentAt < request.time;
    }
  }
}
`;

let h: FirestoreEmulatorHandle;
let env: RulesTestEnvironment;

beforeAll(async () => {
  setLogLevel('silent');
  h = await startTestEmulator({ projectId: 'demo-rules' });
  env = await initializeTestEnvironment({
    projectId: 'demo-rules',
    firestore: { host: '127.0.0.1', port: h.port, rules: RULES },
  });
});

afterAll(async () => {
  await env.cleanup();
  await h.stop();
});

describe('rules-unit-testing', { timeout: 30_000 }, () => {
  it('allows owners and denies others for get, create and update', async () => {
    const alice = env.authenticatedContext('alice').firestore();
    const bob = env.authenticatedContext('bob').firestore();
    await assertSucceeds(setDoc(doc(alice, 'users/alice'), { name: 'Alice', role: 'member' }));
    await assertFails(setDoc(doc(alice, 'users/bob'), { name: 'Bob' }));
    await assertFails(setDoc(doc(bob, 'users/bob'), { name: 42 }));
    await assertSucceeds(getDoc(doc(alice, 'users/alice')));
    await assertFails(getDoc(doc(bob, 'users/alice')));
    await assertFails(getDoc(doc(env.unauthenticatedContext().firestore(), 'users/alice')));
    await assertSucceeds(updateDoc(doc(alice, 'users/alice'), { name: 'Alicia' }));
    // No delete rule: denied even for the owner of the document.
    await assertFails(deleteDoc(doc(alice, 'users/alice')));
    const err = await assertFails(updateDoc(doc(alice, 'users/alice'), { role: 'admin' }));
    expect(String((err as Error).message)).toContain('/databases/(default)/documents/users/alice');
    expect(String((err as Error).message)).toContain("'update'");
  });

  it('proves a list rule from array-contains and range filters as well as from ==', async () => {
    await env.withSecurityRulesDisabled(async (ctx) => {
      await setDoc(doc(ctx.firestore(), 'chats/c1'), { members: ['alice', 'bob'], sentAt: new Date(0) });
    });
    const alice = env.authenticatedContext('alice').firestore();
    const chats = collection(alice, 'chats');
    const mine = where('members', 'array-contains', 'alice');
    const past = where('sentAt', '<', new Date(1000));
    const found = await assertSucceeds(getDocs(query(chats, mine, past)));
    expect(found.docs.map((d) => d.id)).toEqual(['c1']);
    await assertFails(getDocs(query(chats, where('members', 'array-contains', 'bob'), past)));
    await assertFails(getDocs(query(chats, mine)));
    // A bound that reaches past request.time does not prove the rule.
    await assertFails(getDocs(query(chats, mine, where('sentAt', '<', new Date(Date.now() + 3_600_000)))));
  });

  it('checks list queries against their constraints (rules are not filters)', async () => {
    await env.withSecurityRulesDisabled(async (ctx) => {
      await setDoc(doc(ctx.firestore(), 'posts/p1'), { owner: 'alice', text: 'a' });
      await setDoc(doc(ctx.firestore(), 'posts/p2'), { owner: 'bob', text: 'b' });
    });
    const alice = env.authenticatedContext('alice').firestore();
    const mine = await assertSucceeds(
      getDocs(query(collection(alice, 'posts'), where('owner', '==', 'alice'))),
    );
    expect(mine.docs.map((d) => d.id)).toEqual(['p1']);
    await assertFails(getDocs(collection(alice, 'posts')));
    await assertFails(getDocs(query(collection(alice, 'posts'), where('owner', '==', 'bob'))));
  });

  it('gives request.resource the server timestamp equal to request.time', async () => {
    const alice = env.authenticatedContext('alice').firestore();
    await assertSucceeds(setDoc(doc(alice, 'posts/p3'), { owner: 'alice', createdAt: serverTimestamp() }));
    await assertFails(setDoc(doc(alice, 'posts/p4'), { owner: 'alice', createdAt: new Date(0) }));
  });

  it('lets getAfter see the other writes of the same batch', async () => {
    const alice = env.authenticatedContext('alice').firestore();
    await assertFails(setDoc(doc(alice, 'rooms/r1'), { title: 'x' }));
    const batch = writeBatch(alice);
    batch.set(doc(alice, 'roomIndex/r1'), { open: true });
    batch.set(doc(alice, 'rooms/r1'), { title: 'x' });
    await assertSucceeds(batch.commit());
  });

  it('bypasses rules for the owner and clears data', async () => {
    await env.withSecurityRulesDisabled(async (ctx) => {
      await setDoc(doc(ctx.firestore(), 'locked/x'), { v: 1 });
      expect((await getDoc(doc(ctx.firestore(), 'locked/x'))).get('v')).toBe(1);
    });
    await env.clearFirestore();
    await env.withSecurityRulesDisabled(async (ctx) => {
      expect((await getDoc(doc(ctx.firestore(), 'locked/x'))).exists()).toBe(false);
    });
  });
});

describe('rules endpoints and tokens', { timeout: 30_000 }, () => {
  it('rejects bad rules with 400 and the line:column of the error', async () => {
    const r = await fetch(`${h.url}/emulator/v1/projects/demo-rules-bad:securityRules`, {
      method: 'PUT',
      body: JSON.stringify({
        rules: {
          files: [
            {
              content: "rules_version = '2';\nservice cloud.firestore {\n  match /x { allow read: if ; }\n}",
            },
          ],
        },
      }),
    });
    expect(r.status).toBe(400);
    expect(await r.text()).toMatch(/L3:\d+/);
  });

  it('decodes unsigned Auth-emulator ID tokens into request.auth.token', async () => {
    const name = 'projects/demo-rules/databases/(default)/documents/staffOnly/s1';
    await rest(
      `${docsUrl(h)}:commit`,
      { writes: [{ update: { name, fields: {} } }] },
      { authorization: 'Bearer owner' },
    );
    const staff = mockIdToken({
      sub: 'st',
      user_id: 'st',
      staff: true,
      firebase: { sign_in_provider: 'password' },
    });
    const member = mockIdToken({ sub: 'm', user_id: 'm' });
    const ok = await rest(
      `${docsUrl(h)}:batchGet`,
      { documents: [name] },
      { authorization: `Bearer ${staff}` },
    );
    expect(ok.status).toBe(200);
    const denied = await rest(
      `${docsUrl(h)}:batchGet`,
      { documents: [name] },
      { authorization: `Bearer ${member}` },
    );
    expect(denied.status).toBe(403);
    expect(denied.json).toMatchObject({ error: { status: 'PERMISSION_DENIED' } });
    const garbage = await rest(
      `${docsUrl(h)}:batchGet`,
      { documents: [name] },
      { authorization: 'Bearer not-a-jwt' },
    );
    expect(garbage.status).toBe(401);
  });

  // The documentation does not say whether rules or preconditions come first. Rules first is what
  // keeps a denied caller from learning whether a document exists, so that is the behaviour here.
  it('checks rules before preconditions: a denied caller learns nothing of existence', async () => {
    const commit = (uid: string, write: Record<string, unknown>) =>
      rest(
        `${docsUrl(h)}:commit`,
        { writes: [write] },
        { authorization: `Bearer ${mockIdToken({ sub: uid, user_id: uid })}` },
      );
    const name = (id: string) => `projects/demo-rules/databases/(default)/documents/profiles/${id}`;
    // An update of a missing document: PERMISSION_DENIED for another member, NOT_FOUND for its owner.
    const update = (id: string) => ({
      update: { name: name(id), fields: {} },
      currentDocument: { exists: true },
    });
    expect((await commit('bob', update('carol'))).json).toMatchObject({
      error: { status: 'PERMISSION_DENIED' },
    });
    expect((await commit('carol', update('carol'))).json).toMatchObject({ error: { status: 'NOT_FOUND' } });
    // A create of an existing document: likewise PERMISSION_DENIED, then ALREADY_EXISTS.
    await rest(
      `${docsUrl(h)}:commit`,
      { writes: [{ update: { name: name('dave'), fields: {} } }] },
      { authorization: 'Bearer owner' },
    );
    const create = (id: string) => ({
      update: { name: name(id), fields: {} },
      currentDocument: { exists: false },
    });
    expect((await commit('bob', create('dave'))).json).toMatchObject({
      error: { status: 'PERMISSION_DENIED' },
    });
    expect((await commit('dave', create('dave'))).json).toMatchObject({
      error: { status: 'ALREADY_EXISTS' },
    });
    // Through the SDK: updateDoc on a missing document.
    const bob = env.authenticatedContext('bob').firestore();
    await expect(updateDoc(doc(bob, 'profiles/erin'), { a: 1 })).rejects.toMatchObject({
      code: 'permission-denied',
    });
    const erin = env.authenticatedContext('erin').firestore();
    await expect(updateDoc(doc(erin, 'profiles/erin'), { a: 1 })).rejects.toMatchObject({
      code: 'not-found',
    });
  });

  it("judges a document written twice in one commit by the net effect, and gives a create the stored document as resource (Google's emulator, issue 18 differential harness)", async () => {
    const rules = `rules_version = '2';
service cloud.firestore {
  match /databases/{database}/documents {
    match /n/{id} { allow update: if resource.data.a > 0; }
    match /k/{id} { allow create: if resource.data.get('a', 0) is int; }
  }
}`;
    const e = await startTestEmulator({ projectId: 'demo-net', rules });
    try {
      const name = (p: string) => `projects/demo-net/databases/(default)/documents/${p}`;
      const commit = (writes: unknown[], auth = `Bearer ${mockIdToken({ sub: 'u' })}`) =>
        rest(`${docsUrl(e)}:commit`, { writes }, { authorization: auth });
      const a = (n: string) => ({ a: { integerValue: n } });
      await commit(
        [
          { update: { name: name('n/x'), fields: a('2') } },
          { update: { name: name('k/old'), fields: a('-7') } },
        ],
        'Bearer owner',
      );
      // Delete then create of an existing document: one update (resource a=2), allowed.
      const twice = await commit([
        { delete: name('n/x') },
        { update: { name: name('n/x'), fields: a('1') }, currentDocument: { exists: false } },
      ]);
      expect(twice.status).toBe(200);
      // Alone, the delete has no statement that allows it.
      expect((await commit([{ delete: name('n/x') }])).status).toBe(403);
      // A create of an existing document: the rule reads the stored document and allows it, then
      // the precondition fails; of a new document, resource is null and the rule errs.
      const create = (id: string) =>
        commit([{ update: { name: name(`k/${id}`), fields: {} }, currentDocument: { exists: false } }]);
      expect((await create('old')).json).toMatchObject({ error: { status: 'ALREADY_EXISTS' } });
      expect((await create('new')).json).toMatchObject({ error: { status: 'PERMISSION_DENIED' } });
    } finally {
      await e.stop();
    }
  });

  it('denies every non-owner request when no rules are loaded', async () => {
    const bare = await startTestEmulator({ projectId: 'demo-norules' });
    try {
      const name = 'projects/demo-norules/databases/(default)/documents/a/b';
      const user = mockIdToken({ sub: 'u' });
      const w = await rest(
        `${docsUrl(bare)}:commit`,
        { writes: [{ update: { name, fields: {} } }] },
        { authorization: `Bearer ${user}` },
      );
      expect(w.status).toBe(403);
      expect(JSON.stringify(w.json)).toContain('No security rules are loaded');
      const o = await rest(
        `${docsUrl(bare)}:commit`,
        { writes: [{ update: { name, fields: {} } }] },
        { authorization: 'Bearer owner' },
      );
      expect(o.status).toBe(200);
    } finally {
      await bare.stop();
    }
  });
});
