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
  increment,
  orderBy,
  query,
  serverTimestamp,
  setDoc,
  Timestamp,
  updateDoc,
  writeBatch,
} from 'firebase/firestore';
import { type FirebaseStorage, getBytes, getMetadata, ref, uploadBytes } from 'firebase/storage';
import { projectRulesTestEnvironment } from '../support/rules-env.js';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

// Issue 8's trust boundaries: conversations (threads/{uid}), their messages, intake records
// (uploads/{id}) and attachment bytes (Storage uploads/{uid}/{id}/{name}), for every persona.

type Persona =
  'signed out' | 'unverified owner' | 'owner' | 'other member' | 'staff' | 'staff without second factor';

const OWNER = 'alice';
const OTHER = 'bob';
const STAFF = 'sam';
const UPLOAD_ID = 'upload0000000000alice01';
const BOB_UPLOAD_ID = 'upload00000000000bob001';

let env: RulesTestEnvironment;

beforeAll(async () => {
  env = await projectRulesTestEnvironment();
});
afterAll(async () => {
  await env?.cleanup();
});

/** Alice has a conversation with one message and two recorded uploads (one hers, one Bob's). */
async function seed(thread: Record<string, unknown> = {}): Promise<void> {
  await env.clearFirestore();
  await env.withSecurityRulesDisabled(async (context) => {
    const db = context.firestore();
    const long = Timestamp.fromMillis(Date.now() - 10 * 60_000);
    await setDoc(doc(db, `threads/${OWNER}`), {
      lastMessageAt: long,
      lastAuthor: 'member',
      lastMessageId: 'first',
      windowStart: long,
      windowCount: 1,
      ...thread,
    });
    await setDoc(doc(db, `threads/${OWNER}/messages/first`), {
      author: 'member',
      uid: OWNER,
      text: 'Hello',
      attachments: [],
      createdAt: long,
    });
    await setDoc(doc(db, `uploads/${UPLOAD_ID}`), { owner: OWNER, status: 'accepted', name: 'a.png' });
    await setDoc(doc(db, `uploads/${BOB_UPLOAD_ID}`), { owner: OTHER, status: 'accepted', name: 'b.png' });
  });
}

beforeEach(async () => {
  await seed();
});

function context(persona: Persona): RulesTestContext {
  const secondFactor = { sign_in_provider: 'password' as const, sign_in_second_factor: 'phone' };
  switch (persona) {
    case 'signed out':
      return env.unauthenticatedContext();
    case 'unverified owner':
      return env.authenticatedContext(OWNER, { email_verified: false });
    case 'owner':
      return env.authenticatedContext(OWNER, { email_verified: true });
    case 'other member':
      return env.authenticatedContext(OTHER, { email_verified: true });
    case 'staff':
      return env.authenticatedContext(STAFF, { email_verified: true, staff: true, firebase: secondFactor });
    case 'staff without second factor':
      return env.authenticatedContext(STAFF, { email_verified: true, staff: true });
  }
}

function db(persona: Persona): Firestore {
  return context(persona).firestore() as unknown as Firestore;
}

function storage(persona: Persona): FirebaseStorage {
  return context(persona).storage() as unknown as FirebaseStorage;
}

async function expectAllowed(allowed: boolean, attempt: Promise<unknown>): Promise<void> {
  if (allowed) await assertSucceeds(attempt);
  else await assertFails(attempt);
}

let counter = 0;
const nextId = (): string => `m${Date.now()}${counter++}`;

interface SendOptions {
  thread?: string;
  id?: string;
  message?: Record<string, unknown>;
  threadUpdate?: Record<string, unknown>;
  /** Leave out the thread update: the message alone. */
  alone?: boolean;
}

/** The batch a member's client sends, continuing the current window (the seed's is long over, so a new one). */
function memberSend(firestore: Firestore, options: SendOptions = {}): Promise<void> {
  const thread = options.thread ?? OWNER;
  const id = options.id ?? nextId();
  const batch = writeBatch(firestore);
  batch.set(doc(firestore, `threads/${thread}/messages/${id}`), {
    author: 'member',
    uid: OWNER,
    text: 'A question',
    attachments: [],
    createdAt: serverTimestamp(),
    ...options.message,
  });
  if (!options.alone)
    batch.update(doc(firestore, `threads/${thread}`), {
      lastMessageAt: serverTimestamp(),
      lastAuthor: 'member',
      lastMessageId: id,
      windowStart: serverTimestamp(),
      windowCount: 1,
      ...options.threadUpdate,
    });
  return batch.commit();
}

function staffReply(firestore: Firestore, options: SendOptions = {}): Promise<void> {
  const id = options.id ?? nextId();
  const batch = writeBatch(firestore);
  batch.set(doc(firestore, `threads/${OWNER}/messages/${id}`), {
    author: 'staff',
    uid: STAFF,
    text: 'Our answer',
    attachments: [],
    createdAt: serverTimestamp(),
    ...options.message,
  });
  batch.update(doc(firestore, `threads/${OWNER}`), {
    lastMessageAt: serverTimestamp(),
    lastAuthor: 'staff',
    lastMessageId: id,
    staffReadAt: serverTimestamp(),
    ...options.threadUpdate,
  });
  return batch.commit();
}

const PERSONAS: Persona[] = [
  'signed out',
  'unverified owner',
  'owner',
  'other member',
  'staff',
  'staff without second factor',
];

describe('who may read a conversation', () => {
  const readers: Record<Persona, boolean> = {
    'signed out': false,
    'unverified owner': false,
    owner: true,
    'other member': false,
    staff: true,
    'staff without second factor': false,
  };

  it.each(PERSONAS)('%s: thread and messages', async (persona) => {
    const allowed = readers[persona];
    await expectAllowed(allowed, getDoc(doc(db(persona), `threads/${OWNER}`)));
    await expectAllowed(allowed, getDoc(doc(db(persona), `threads/${OWNER}/messages/first`)));
    await expectAllowed(
      allowed,
      getDocs(query(collection(db(persona), `threads/${OWNER}/messages`), orderBy('createdAt'))),
    );
  });

  it.each(PERSONAS)('%s: the staff inbox (every thread)', async (persona) => {
    await expectAllowed(
      persona === 'staff',
      getDocs(query(collection(db(persona), 'threads'), orderBy('lastMessageAt', 'desc'))),
    );
  });

  it('gives staff the threads newest first', async () => {
    await env.withSecurityRulesDisabled(async (c) => {
      await setDoc(doc(c.firestore(), `threads/${OTHER}`), {
        lastMessageAt: Timestamp.now(),
        lastAuthor: 'member',
        lastMessageId: 'x',
        windowStart: Timestamp.now(),
        windowCount: 1,
      });
    });
    const snapshot = await getDocs(
      query(collection(db('staff'), 'threads'), orderBy('lastMessageAt', 'desc')),
    );
    expect(snapshot.docs.map((d) => d.id)).toEqual([OTHER, OWNER]);
  });
});

describe('members sending', () => {
  it('lets a verified member start a conversation with a message and its thread together', async () => {
    await env.clearFirestore();
    const id = nextId();
    const firestore = db('owner');
    const batch = writeBatch(firestore);
    batch.set(doc(firestore, `threads/${OWNER}/messages/${id}`), {
      author: 'member',
      uid: OWNER,
      text: 'First contact',
      attachments: [],
      createdAt: serverTimestamp(),
    });
    batch.set(doc(firestore, `threads/${OWNER}`), {
      lastMessageAt: serverTimestamp(),
      lastAuthor: 'member',
      lastMessageId: id,
      windowStart: serverTimestamp(),
      windowCount: 1,
    });
    await assertSucceeds(batch.commit());
    const stored = await getDoc(doc(firestore, `threads/${OWNER}/messages/${id}`));
    expect(stored.get('text')).toBe('First contact');
  });

  it('refuses a new thread that claims staff read it or starts the window elsewhere', async () => {
    await env.clearFirestore();
    const firestore = db('owner');
    for (const extra of [{ staffReadAt: serverTimestamp() }, { windowCount: 0 }, { lastAuthor: 'staff' }]) {
      const id = nextId();
      const batch = writeBatch(firestore);
      batch.set(doc(firestore, `threads/${OWNER}/messages/${id}`), {
        author: 'member',
        uid: OWNER,
        text: 'x',
        attachments: [],
        createdAt: serverTimestamp(),
      });
      batch.set(doc(firestore, `threads/${OWNER}`), {
        lastMessageAt: serverTimestamp(),
        lastAuthor: 'member',
        lastMessageId: id,
        windowStart: serverTimestamp(),
        windowCount: 1,
        ...extra,
      });
      await assertFails(batch.commit());
    }
  });

  it.each(PERSONAS)('%s: sending as the member into Alice’s conversation', async (persona) => {
    await expectAllowed(persona === 'owner', memberSend(db(persona)));
  });

  it('denies a member writing into another member’s conversation', async () => {
    await env.withSecurityRulesDisabled(async (c) => {
      await setDoc(doc(c.firestore(), `threads/${OTHER}`), {
        lastMessageAt: Timestamp.fromMillis(0),
        lastAuthor: 'member',
        lastMessageId: 'x',
        windowStart: Timestamp.fromMillis(0),
        windowCount: 1,
      });
    });
    await assertFails(memberSend(db('owner'), { thread: OTHER }));
    await assertFails(memberSend(db('other member'), { message: { uid: OTHER } }));
  });

  it.each([
    ['a forged author', { author: 'staff' }],
    ['a forged uid', { uid: OTHER }],
    ['a client-chosen createdAt', { createdAt: Timestamp.fromMillis(Date.now() - 60_000) }],
    ['text over 4,000 characters', { text: 'x'.repeat(4001) }],
    ['no text and no attachment', { text: '' }],
    ['an extra field', { pinned: true }],
    [
      'six attachments',
      {
        attachments: Array.from({ length: 6 }, (_, i) => ({ id: `upload${i}abcdefghijklmn`, name: 'a.png' })),
      },
    ],
    ['an attachment with a bad id', { attachments: [{ id: '../x', name: 'a.png' }] }],
    ['an attachment with an extra key', { attachments: [{ id: UPLOAD_ID, name: 'a.png', path: 'x' }] }],
    ['another member’s recorded upload', { attachments: [{ id: BOB_UPLOAD_ID, name: 'b.png' }] }],
    // Issue 15 item 4: a right-to-left override makes "Invoice-2026\u202Efdp.bat" read "…tab.pdf".
    // Google's emulator (gcloud 528) gives the same answers for these names under the same regex.
    ['a name with a bidi override', { attachments: [{ id: UPLOAD_ID, name: 'Invoice-2026\u202Efdp.bat' }] }],
    ['a name with an isolate', { attachments: [{ id: UPLOAD_ID, name: 'a\u2067b.png' }] }],
    ['a name with a zero-width joiner', { attachments: [{ id: UPLOAD_ID, name: 'a\u200Db.png' }] }],
    ['a name with a newline after text', { attachments: [{ id: UPLOAD_ID, name: 'a\nb\nc.png' }] }],
    ['a name with a NUL', { attachments: [{ id: UPLOAD_ID, name: 'a\u0000.png' }] }],
    ['a name with a C1 control', { attachments: [{ id: UPLOAD_ID, name: 'a\u0085.png' }] }],
  ])('refuses %s', async (_label, message) => {
    await assertFails(memberSend(db('owner'), { message }));
  });

  it('accepts exactly 4,000 characters, five attachments, own or not yet checked', async () => {
    await assertSucceeds(memberSend(db('owner'), { message: { text: 'x'.repeat(4000) } }));
    await seed();
    const attachments = [
      { id: UPLOAD_ID, name: 'a.png' },
      ...Array.from({ length: 3 }, (_, i) => ({ id: `pending${i}abcdefghijklmn`, name: `f${i}.zip` })),
      // Letters of any script stay allowed: only control and format characters are refused.
      { id: 'pendingXabcdefghijklmn', name: 'Résumé שלום 履歴書.pdf' },
    ];
    await assertSucceeds(memberSend(db('owner'), { message: { text: '', attachments } }));
  });

  it('refuses a message without its thread update, and a thread update naming no new message', async () => {
    await assertFails(memberSend(db('owner'), { alone: true }));
    await assertFails(
      updateDoc(doc(db('owner'), `threads/${OWNER}`), {
        lastMessageAt: serverTimestamp(),
        lastAuthor: 'member',
        lastMessageId: 'first',
        windowStart: serverTimestamp(),
        windowCount: 1,
      }),
    );
  });

  it('refuses a member marking the thread read for staff', async () => {
    await assertFails(memberSend(db('owner'), { threadUpdate: { staffReadAt: serverTimestamp() } }));
  });
});

describe('the rate limit of 10 messages a minute', () => {
  /** Sends as the web client does: reads the thread and continues its window if it is still open. */
  async function sendLikeTheClient(firestore: Firestore): Promise<void> {
    const thread = await getDoc(doc(firestore, `threads/${OWNER}`));
    const start = thread.get('windowStart') as Timestamp;
    const open = Date.now() < start.toMillis() + 60_000;
    await memberSend(firestore, {
      threadUpdate: open
        ? { windowStart: start, windowCount: (thread.get('windowCount') as number) + 1 }
        : { windowStart: serverTimestamp(), windowCount: 1 },
    });
  }

  it('allows 10 messages in a minute and denies the 11th, however it is dressed up', async () => {
    const firestore = db('owner');
    for (let i = 0; i < 10; i += 1) await assertSucceeds(sendLikeTheClient(firestore));
    const thread = await getDoc(doc(firestore, `threads/${OWNER}`));
    expect(thread.get('windowCount')).toBe(10);

    await assertFails(sendLikeTheClient(firestore));
    // Starting a fresh window early, or not counting, is refused too.
    await assertFails(memberSend(firestore));
    await assertFails(
      memberSend(firestore, { threadUpdate: { windowStart: thread.get('windowStart'), windowCount: 10 } }),
    );
    await assertFails(
      memberSend(firestore, { threadUpdate: { windowStart: thread.get('windowStart'), windowCount: 5 } }),
    );
    const messages = await getDocs(collection(firestore, `threads/${OWNER}/messages`));
    expect(messages.size).toBe(11); // the seeded one and ten
  });

  it('counts the web client\'s queued shape too: increment(1) without touching windowStart (Firestore docs: "Increment a numeric value")', async () => {
    await seed({ windowStart: Timestamp.now(), windowCount: 1 });
    const firestore = db('owner');
    // What web/src/data/messages.ts queues within the minute, so offline messages count right.
    const queued = (): Promise<void> => {
      const id = nextId();
      const batch = writeBatch(firestore);
      batch.set(doc(firestore, `threads/${OWNER}/messages/${id}`), {
        author: 'member',
        uid: OWNER,
        text: 'Sent from the train',
        attachments: [],
        createdAt: serverTimestamp(),
      });
      batch.update(doc(firestore, `threads/${OWNER}`), {
        lastMessageAt: serverTimestamp(),
        lastAuthor: 'member',
        lastMessageId: id,
        windowCount: increment(1),
      });
      return batch.commit();
    };
    for (let i = 2; i <= 10; i += 1) await assertSucceeds(queued());
    expect((await getDoc(doc(firestore, `threads/${OWNER}`))).get('windowCount')).toBe(10);
    await assertFails(queued());

    // Once the minute is over, continuing the old window is refused: a new one must start.
    await seed({ windowStart: Timestamp.fromMillis(Date.now() - 61_000), windowCount: 3 });
    await assertFails(queued());
  });

  it('opens a new window once the minute is over, with a count of exactly 1', async () => {
    await seed({ windowStart: Timestamp.fromMillis(Date.now() - 61_000), windowCount: 10 });
    const firestore = db('owner');
    const old = (await getDoc(doc(firestore, `threads/${OWNER}`))).get('windowStart') as Timestamp;
    await assertFails(memberSend(firestore, { threadUpdate: { windowStart: old, windowCount: 11 } }));
    await assertFails(memberSend(firestore, { threadUpdate: { windowCount: 2 } }));
    await assertSucceeds(memberSend(firestore));
  });

  it('does not count staff replies against the member', async () => {
    await seed({ windowStart: Timestamp.now(), windowCount: 10 });
    await assertSucceeds(staffReply(db('staff')));
  });
});

describe('staff replying', () => {
  it.each(PERSONAS)('%s: replying as staff', async (persona) => {
    const uid =
      persona === 'owner' || persona === 'unverified owner'
        ? OWNER
        : persona === 'other member'
          ? OTHER
          : STAFF;
    await expectAllowed(persona === 'staff', staffReply(db(persona), { message: { uid } }));
  });

  it('refuses staff forging the author uid or the time, or replying to a conversation that does not exist', async () => {
    await assertFails(staffReply(db('staff'), { message: { uid: OWNER } }));
    await assertFails(staffReply(db('staff'), { message: { createdAt: Timestamp.fromMillis(1) } }));
    await assertFails(staffReply(db('staff'), { message: { author: 'member' } }));
    await assertFails(staffReply(db('staff'), { threadUpdate: { windowCount: 0 } }));
    // Staff cannot open a conversation: threads are created by their member's first message.
    await env.clearFirestore();
    const firestore = db('staff');
    const id = nextId();
    const batch = writeBatch(firestore);
    batch.set(doc(firestore, `threads/${OWNER}/messages/${id}`), {
      author: 'staff',
      uid: STAFF,
      text: 'Unsolicited',
      attachments: [],
      createdAt: serverTimestamp(),
    });
    batch.set(doc(firestore, `threads/${OWNER}`), {
      lastMessageAt: serverTimestamp(),
      lastAuthor: 'staff',
      lastMessageId: id,
      staffReadAt: serverTimestamp(),
    });
    await assertFails(batch.commit());
  });

  it('lets staff mark a conversation read, at the server’s time only', async () => {
    await assertSucceeds(updateDoc(doc(db('staff'), `threads/${OWNER}`), { staffReadAt: serverTimestamp() }));
    await assertFails(
      updateDoc(doc(db('staff'), `threads/${OWNER}`), { staffReadAt: Timestamp.fromMillis(1) }),
    );
    await assertFails(
      updateDoc(doc(db('staff without second factor'), `threads/${OWNER}`), {
        staffReadAt: serverTimestamp(),
      }),
    );
  });
});

describe('the member’s read mark (home page unread)', () => {
  it.each(PERSONAS)('%s: marking alice’s conversation read as its member', async (persona) => {
    await expectAllowed(
      persona === 'owner',
      updateDoc(doc(db(persona), `threads/${OWNER}`), { memberReadAt: serverTimestamp() }),
    );
  });

  it('takes the server’s time only, and nothing else with it', async () => {
    const thread = doc(db('owner'), `threads/${OWNER}`);
    await assertFails(updateDoc(thread, { memberReadAt: Timestamp.fromMillis(1) }));
    await assertFails(updateDoc(thread, { memberReadAt: serverTimestamp(), staffReadAt: serverTimestamp() }));
    await assertFails(updateDoc(thread, { memberReadAt: serverTimestamp(), lastAuthor: 'staff' }));
  });
});

describe('sent messages are final', () => {
  it.each(PERSONAS)('%s: cannot edit or delete a message or delete the thread', async (persona) => {
    await assertFails(updateDoc(doc(db(persona), `threads/${OWNER}/messages/first`), { text: 'edited' }));
    await assertFails(deleteDoc(doc(db(persona), `threads/${OWNER}/messages/first`)));
    await assertFails(deleteDoc(doc(db(persona), `threads/${OWNER}`)));
    await assertFails(
      setDoc(doc(db(persona), `threads/${OWNER}/messages/first`), {
        author: 'member',
        uid: OWNER,
        text: 'overwritten',
        attachments: [],
        createdAt: serverTimestamp(),
      }),
    );
  });
});

describe('intake records (Firestore uploads/{id})', () => {
  const readers: Record<Persona, boolean> = {
    'signed out': false,
    'unverified owner': false,
    owner: true,
    'other member': false,
    staff: true,
    'staff without second factor': false,
  };

  it.each(PERSONAS)('%s: reading Alice’s record', async (persona) => {
    await expectAllowed(readers[persona], getDoc(doc(db(persona), `uploads/${UPLOAD_ID}`)));
  });

  it('lets a verified member poll for a record intake has not written yet', async () => {
    const snapshot = await assertSucceeds(getDoc(doc(db('owner'), 'uploads/notcheckedyet000000')));
    expect(snapshot.exists()).toBe(false);
    await assertFails(getDoc(doc(db('unverified owner'), 'uploads/notcheckedyet000000')));
  });

  it.each(PERSONAS)('%s: cannot list, write or delete records', async (persona) => {
    await assertFails(getDocs(collection(db(persona), 'uploads')));
    await assertFails(
      setDoc(doc(db(persona), 'uploads/forged0000000000000'), { owner: OWNER, status: 'accepted' }),
    );
    await assertFails(updateDoc(doc(db(persona), `uploads/${UPLOAD_ID}`), { status: 'accepted' }));
    await assertFails(deleteDoc(doc(db(persona), `uploads/${UPLOAD_ID}`)));
  });
});

describe('attachment bytes (Storage uploads/{uid}/{id}/{name})', () => {
  const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  let n = 0;
  const path = (uid = OWNER): string => `uploads/${uid}/upload${Date.now()}x${n++}abcdef/photo.png`;

  beforeEach(async () => {
    await env.clearStorage();
  });

  const writers: Record<Persona, boolean> = {
    'signed out': false,
    'unverified owner': false,
    owner: true,
    'other member': false,
    staff: true,
    'staff without second factor': false,
  };

  it.each(PERSONAS)('%s: uploading into Alice’s folder', async (persona) => {
    await expectAllowed(
      writers[persona],
      uploadBytes(ref(storage(persona), path()), PNG, { contentType: 'image/png' }),
    );
  });

  // Issue 15: attachments are read through the downloadFile function only (after the intake
  // accepted them), so no reader can mint a public download token by reading metadata.
  it.each(PERSONAS)('%s: downloading from Alice’s folder is refused to everyone', async (persona) => {
    const target = path();
    await env.withSecurityRulesDisabled(async (c) => {
      await uploadBytes(ref(c.storage() as unknown as FirebaseStorage, target), PNG, {
        contentType: 'image/png',
      });
    });
    await expectAllowed(false, getBytes(ref(storage(persona), target)));
    await expectAllowed(false, getMetadata(ref(storage(persona), target)));
  });

  it('writes once: no overwrite and no delete, even by the owner', async () => {
    const target = path();
    await assertSucceeds(uploadBytes(ref(storage('owner'), target), PNG, { contentType: 'image/png' }));
    await assertFails(uploadBytes(ref(storage('owner'), target), PNG, { contentType: 'image/png' }));
    await assertFails(uploadBytes(ref(storage('staff'), target), PNG, { contentType: 'image/png' }));
    const { deleteObject } = await import('firebase/storage');
    await assertFails(deleteObject(ref(storage('owner'), target)));
  });

  it.each([
    ['an executable', 'application/x-msdownload'],
    ['HTML', 'text/html'],
    ['SVG', 'image/svg+xml'],
    ['no type at all', undefined],
  ])('refuses %s', async (_label, contentType) => {
    await assertFails(uploadBytes(ref(storage('owner'), path()), PNG, contentType ? { contentType } : {}));
  });

  it.each([
    'image/png',
    'image/jpeg',
    'image/webp',
    'image/gif',
    'application/pdf',
    'text/plain',
    'application/zip',
  ])('accepts the declared type %s', async (contentType) => {
    await assertSucceeds(uploadBytes(ref(storage('owner'), path()), PNG, { contentType }));
  });

  it('refuses files over 20 MB and accepts exactly 20 MB', async () => {
    const limit = 20 * 1024 * 1024;
    await assertFails(
      uploadBytes(ref(storage('owner'), path()), new Uint8Array(limit + 1), {
        contentType: 'application/zip',
      }),
    );
    await assertSucceeds(
      uploadBytes(ref(storage('owner'), path()), new Uint8Array(limit), { contentType: 'application/zip' }),
    );
  });

  it('refuses paths other than uploads/{uid}/{id}/{name} and ids that are not random-looking', async () => {
    const opts = { contentType: 'image/png' };
    await assertFails(uploadBytes(ref(storage('owner'), `uploads/${OWNER}/photo.png`), PNG, opts));
    await assertFails(uploadBytes(ref(storage('owner'), `uploads/${OWNER}/short/photo.png`), PNG, opts));
    await assertFails(
      uploadBytes(ref(storage('owner'), `uploads/${OWNER}/upload0000000000000000/a/b.png`), PNG, opts),
    );
    await assertFails(
      uploadBytes(ref(storage('owner'), `elsewhere/${OWNER}/upload0000000000000000/b.png`), PNG, opts),
    );
  });
});
