import {
  assertFails,
  assertSucceeds,
  initializeTestEnvironment,
  type RulesTestEnvironment,
} from '@firebase/rules-unit-testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type FirestoreEmulatorHandle, startFirestoreEmulator } from '../firestore/index.js';
import { type StorageEmulatorHandle, startStorageEmulator } from './index.js';

const PROJECT = 'demo-storage-rules';
const BUCKET = PROJECT; // rules-unit-testing uses gs://{projectId}

const RULES = `rules_version = '2';
service firebase.storage {
  match /b/{bucket}/o {
    match /once/{uid}/{file} {
      allow create: if request.auth.uid == uid;
      allow get: if request.auth.uid == uid;
    }
    match /edit/{uid}/{file} {
      allow get, create, delete: if request.auth.uid == uid;
      allow update: if request.auth.uid == uid && resource.metadata.locked != 'true';
    }
    match /getonly/{file} {
      allow get: if true;
    }
    match /shapes/{uid}/{file} {
      allow create: if request.resource.name == 'shapes/' + uid + '/' + file
        && request.resource.bucket == bucket
        && request.resource.size == 5
        && request.resource.md5Hash == 'XUFAKrxLKna5cZ2REBfFkg=='
        && request.resource.metadata.kind == 'greeting'
        && request.resource.timeCreated == request.time
        && request.resource.contentType == 'text/plain';
    }
    match /premium/{file} {
      allow get: if request.auth != null
        && firestore.get(/databases/(default)/documents/members/$(request.auth.uid)).data.premium == true;
    }
    match /members-only/{file} {
      allow get: if request.auth != null
        && firestore.exists(/databases/(default)/documents/members/$(request.auth.uid));
    }
    match /{file} {
      allow get, write: if true;
    }
    match /pub/{all=**} {
      allow read: if true;
    }
  }
}
`;

let storage: StorageEmulatorHandle;
let firestore: FirestoreEmulatorHandle;
let env: RulesTestEnvironment;

async function putDoc(path: string, fields: Record<string, unknown>): Promise<void> {
  const res = await fetch(`${firestore.url}/v1/projects/${PROJECT}/databases/(default)/documents/${path}`, {
    method: 'PATCH',
    headers: {
      Authorization: 'Bearer owner',
      'Content-Type': 'application/json',
    },
    body: JSON.stringify({ fields }),
  });
  expect(res.status).toBe(200);
}

beforeAll(async () => {
  firestore = await startFirestoreEmulator({
    host: '127.0.0.1',
    port: 0,
    projectId: PROJECT,
    rules:
      'rules_version = "2"; service cloud.firestore { match /databases/{d}/documents { match /{doc=**} { allow read, write: if false; } } }',
  });
  storage = await startStorageEmulator({
    projectId: PROJECT,
    firestore: { host: firestore.host, port: firestore.port },
    log: () => undefined,
  });
  env = await initializeTestEnvironment({
    projectId: PROJECT,
    storage: { host: '127.0.0.1', port: storage.port, rules: RULES },
  });
  await putDoc('members/paula', { premium: { booleanValue: true } });
  await putDoc('members/fred', { premium: { booleanValue: false } });
});

afterAll(async () => {
  await env?.cleanup();
  await storage?.stop();
  await firestore?.stop();
});

const bytes = (s: string) => new TextEncoder().encode(s);

describe('storage rules through @firebase/rules-unit-testing', () => {
  it('PUT /internal/setRules rejects bad rules with 400 and line:column, keeping the old rules', async () => {
    const bad =
      "rules_version = '2';\nservice firebase.storage {\n  match /b/{bucket}/o {\n    allow read: if ;\n  }\n}\n";
    const res = await fetch(`${storage.url}/internal/setRules`, {
      method: 'PUT',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        rules: { files: [{ name: 'storage.rules', content: bad }] },
      }),
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as {
      message: string;
      details: string[];
      issues: Array<{ line: number; column: number }>;
    };
    expect(body.message).toBe('There was an error updating rules, see logs for more details');
    expect(body.details[0]).toMatch(/^storage\.rules:4:\d+: /);
    expect(body.issues[0]?.line).toBe(4);
    // The previous ruleset still serves requests.
    await assertSucceeds(env.unauthenticatedContext().storage().ref('open.txt').put(bytes('x')).then());
    const empty = await fetch(`${storage.url}/internal/setRules`, {
      method: 'PUT',
      body: '{"rules":{"files":[]}}',
    });
    expect(empty.status).toBe(400);
  });

  it('create is for new objects, update for overwrites (documented method mapping)', async () => {
    const alice = env.authenticatedContext('alice').storage();
    await assertSucceeds(alice.ref('once/alice/a.txt').put(bytes('1')).then());
    // Overwriting is an update, which /once does not grant.
    await assertFails(alice.ref('once/alice/a.txt').put(bytes('2')).then());
    expect(await (await fetch(await alice.ref('once/alice/a.txt').getDownloadURL())).text()).toBe('1');
    await assertFails(
      env.authenticatedContext('bob').storage().ref('once/alice/b.txt').put(bytes('x')).then(),
    );
  });

  it('metadata updates are checked as update with resource = the stored object', async () => {
    const alice = env.authenticatedContext('alice').storage();
    const r = alice.ref('edit/alice/doc.txt');
    await assertSucceeds(r.put(bytes('v1'), { customMetadata: { locked: 'false' } }).then());
    await assertSucceeds(r.updateMetadata({ customMetadata: { locked: 'true' } }));
    await assertFails(r.updateMetadata({ customMetadata: { note: 'x' } }));
    await assertFails(r.put(bytes('v2')).then());
    await assertSucceeds(r.delete());
  });

  it('get does not imply list; {all=**} grants listing its folder', async () => {
    await env.withSecurityRulesDisabled(async (ctx) => {
      await ctx.storage().ref('top.txt').put(bytes('g')).then();
      await ctx.storage().ref('pub/a/b.txt').put(bytes('p')).then();
    });
    const anon = env.unauthenticatedContext().storage();
    await assertSucceeds(anon.ref('top.txt').getMetadata());
    await assertFails(anon.ref('').listAll());
    const listed = await assertSucceeds(anon.ref('pub').listAll());
    expect(listed.prefixes.map((p) => p.fullPath)).toEqual(['pub/a']);
  });

  it('request.resource carries name, bucket, size, md5Hash, metadata, timeCreated and contentType', async () => {
    const alice = env.authenticatedContext('alice').storage();
    await assertSucceeds(
      alice
        .ref('shapes/alice/hello.txt')
        .put(bytes('hello'), {
          contentType: 'text/plain',
          customMetadata: { kind: 'greeting' },
        })
        .then(),
    );
    await assertFails(
      alice
        .ref('shapes/alice/hello2.txt')
        .put(bytes('hellO'), {
          contentType: 'text/plain',
          customMetadata: { kind: 'greeting' },
        })
        .then(),
    );
    await assertFails(
      alice
        .ref('shapes/alice/hello3.txt')
        .put(bytes('hello'), {
          contentType: 'text/plain',
          customMetadata: { kind: 'other' },
        })
        .then(),
    );
  });

  it('firestore.get() and firestore.exists() read the running Firestore emulator', async () => {
    await env.withSecurityRulesDisabled(async (ctx) => {
      await ctx.storage().ref('premium/video.txt').put(bytes('premium')).then();
      await ctx.storage().ref('members-only/news.txt').put(bytes('news')).then();
    });
    await assertSucceeds(env.authenticatedContext('paula').storage().ref('premium/video.txt').getMetadata());
    await assertFails(env.authenticatedContext('fred').storage().ref('premium/video.txt').getMetadata());
    await assertFails(env.authenticatedContext('nobody').storage().ref('premium/video.txt').getMetadata());
    await assertSucceeds(
      env.authenticatedContext('fred').storage().ref('members-only/news.txt').getMetadata(),
    );
    await assertFails(
      env.authenticatedContext('nobody').storage().ref('members-only/news.txt').getMetadata(),
    );
  });

  it('denials carry the official 403 body', async () => {
    const res = await fetch(
      `${storage.url}/v0/b/${BUCKET}/o?name=${encodeURIComponent('once/alice/raw.txt')}`,
      {
        method: 'POST',
        headers: {
          'X-Goog-Upload-Protocol': 'multipart',
          'Content-Type': 'multipart/related; boundary=b',
        },
        body: '--b\r\nContent-Type: application/json\r\n\r\n{}\r\n--b\r\nContent-Type: text/plain\r\n\r\nx\r\n--b--',
      },
    );
    expect(res.status).toBe(403);
    expect(await res.json()).toEqual({
      error: { code: 403, message: 'Permission denied. No WRITE permission.' },
    });
    const read = await fetch(`${storage.url}/v0/b/${BUCKET}/o/${encodeURIComponent('once/alice/a.txt')}`);
    expect(read.status).toBe(403);
    expect(await read.json()).toEqual({
      error: { code: 403, message: 'Permission denied. No READ permission.' },
    });
  });

  it('clearStorage removes the objects rules-unit-testing lists at the root', async () => {
    const anon = env.unauthenticatedContext().storage();
    await assertSucceeds(anon.ref('root-a.txt').put(bytes('a')).then());
    await assertSucceeds(anon.ref('root-b.txt').put(bytes('b')).then());
    await env.clearStorage();
    await env.withSecurityRulesDisabled(async (ctx) => {
      const left = await ctx.storage().ref('').listAll();
      expect(left.items.map((i) => i.name)).toEqual([]);
      // clearStorage only deletes root items (RUT behaviour); nested objects stay.
      expect(left.prefixes.length).toBeGreaterThan(0);
    });
  });
});
