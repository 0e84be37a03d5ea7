/**
 * The full `firebase/firestore` SDK in Node (gRPC Listen and Write streams), as used by
 * @firebase/rules-unit-testing.
 */
import { deleteApp, type FirebaseApp, initializeApp } from 'firebase/app';
import {
  arrayUnion,
  collection,
  connectFirestoreEmulator,
  deleteDoc,
  doc,
  type Firestore,
  getCountFromServer,
  getDoc,
  getDocs,
  getFirestore,
  increment,
  limit,
  onSnapshot,
  orderBy,
  query,
  runTransaction,
  serverTimestamp,
  setDoc,
  setLogLevel,
  terminate,
  Timestamp,
  updateDoc,
  where,
  writeBatch,
} from 'firebase/firestore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FirestoreEmulatorHandle } from './index.js';
import { allowAll, startTestEmulator } from './test-support/clients.js';

let h: FirestoreEmulatorHandle;
let app: FirebaseApp;
let db: Firestore;

beforeAll(async () => {
  // Retried transaction commits log warnings by design; keep the output readable.
  setLogLevel('silent');
  h = await startTestEmulator({ projectId: 'demo-full', rulesCompiler: allowAll, rules: 'allow all' });
  app = initializeApp({ projectId: 'demo-full', apiKey: 'fake' }, 'full-sdk');
  db = getFirestore(app);
  connectFirestoreEmulator(db, '127.0.0.1', h.port, { mockUserToken: { sub: 'alice' } });
});

afterAll(async () => {
  await terminate(db);
  await deleteApp(app);
  await h.stop();
});

function waitFor<T>(values: T[], n: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const tick = () => {
      if (values.length >= n) resolve();
      else if (Date.now() - started > 5000) reject(new Error(`only ${values.length} of ${n} snapshots`));
      else setTimeout(tick, 10);
    };
    tick();
  });
}

describe('full SDK over gRPC', { timeout: 30_000 }, () => {
  it('writes over the Write stream and reads through Listen', async () => {
    await setDoc(doc(db, 'notes/n1'), { text: 'hello', at: serverTimestamp(), tags: ['a'] });
    const snap = await getDoc(doc(db, 'notes/n1'));
    expect(snap.exists()).toBe(true);
    expect(snap.get('text')).toBe('hello');
    expect(snap.get('at')).toBeInstanceOf(Timestamp);
    expect(snap.metadata.fromCache).toBe(false);
    await updateDoc(doc(db, 'notes/n1'), { tags: arrayUnion('b'), count: increment(3) });
    const updated = await getDoc(doc(db, 'notes/n1'));
    expect(updated.get('tags')).toEqual(['a', 'b']);
    expect(updated.get('count')).toBe(3);
    await deleteDoc(doc(db, 'notes/n1'));
    expect((await getDoc(doc(db, 'notes/n1'))).exists()).toBe(false);
  });

  it('rejects updateDoc on a missing document with not-found and keeps working', async () => {
    await expect(updateDoc(doc(db, 'notes/ghost'), { a: 1 })).rejects.toMatchObject({ code: 'not-found' });
    await setDoc(doc(db, 'notes/after'), { ok: true });
    expect((await getDoc(doc(db, 'notes/after'))).get('ok')).toBe(true);
  });

  it('runs queries with getDocs and counts with getCountFromServer', async () => {
    const batch = writeBatch(db);
    for (let i = 0; i < 5; i++)
      batch.set(doc(db, `scores/s${i}`), { v: i * 10, kind: i % 2 ? 'odd' : 'even' });
    await batch.commit();
    const q = query(collection(db, 'scores'), where('kind', '==', 'even'), orderBy('v', 'desc'), limit(2));
    const res = await getDocs(q);
    expect(res.docs.map((d) => d.id)).toEqual(['s4', 's2']);
    expect((await getCountFromServer(collection(db, 'scores'))).data().count).toBe(5);
  });

  it('delivers later changes to document and query listeners', async () => {
    const docSnaps: (number | undefined)[] = [];
    const querySnaps: string[][] = [];
    const unsubDoc = onSnapshot(doc(db, 'live/one'), (s) => docSnaps.push(s.get('n') as number | undefined));
    const unsubQuery = onSnapshot(query(collection(db, 'live'), where('n', '>=', 2)), (s) =>
      querySnaps.push(s.docs.map((d) => d.id)),
    );
    await waitFor(docSnaps, 1);
    await waitFor(querySnaps, 1);
    await setDoc(doc(db, 'live/one'), { n: 1 });
    await setDoc(doc(db, 'live/two'), { n: 2 });
    await updateDoc(doc(db, 'live/one'), { n: 5 });
    await waitFor(docSnaps, 3);
    await new Promise((r) => setTimeout(r, 100));
    unsubDoc();
    unsubQuery();
    expect(docSnaps.filter((x) => x !== undefined)).toEqual([1, 5]);
    expect(docSnaps[0]).toBeUndefined();
    expect(querySnaps[0]).toEqual([]);
    expect(querySnaps[querySnaps.length - 1]).toEqual(['two', 'one']);
  });

  it('runs transactions that retry on conflict and never lose updates', async () => {
    await setDoc(doc(db, 'tx/c'), { n: 0 });
    await Promise.all(
      Array.from({ length: 8 }, () =>
        runTransaction(db, async (tx) => {
          const s = await tx.get(doc(db, 'tx/c'));
          tx.update(doc(db, 'tx/c'), { n: (s.get('n') as number) + 1 });
        }),
      ),
    );
    expect((await getDoc(doc(db, 'tx/c'))).get('n')).toBe(8);
  });

  it('commits a transaction that reads a document it does not write (Write.verify, field 5, over gRPC)', async () => {
    await setDoc(doc(db, 'tx/source'), { n: 7 });
    await runTransaction(db, async (tx) => {
      const s = await tx.get(doc(db, 'tx/source'));
      tx.set(doc(db, 'tx/copy'), { n: s.get('n') as number });
    });
    expect((await getDoc(doc(db, 'tx/copy'))).get('n')).toBe(7);
    // The verify carries the read's version: a change in between makes the SDK retry with new data.
    let attempts = 0;
    await runTransaction(db, async (tx) => {
      attempts++;
      const s = await tx.get(doc(db, 'tx/source'));
      if (attempts === 1) await setDoc(doc(db, 'tx/source'), { n: 8 });
      tx.set(doc(db, 'tx/copy'), { n: s.get('n') as number });
    });
    expect(attempts).toBe(2);
    expect((await getDoc(doc(db, 'tx/copy'))).get('n')).toBe(8);
  });
});
