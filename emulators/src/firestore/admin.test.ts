/**
 * firebase-admin (@google-cloud/firestore over gRPC) against the emulator, configured through
 * FIRESTORE_EMULATOR_HOST exactly as users do.
 */
import { type App, deleteApp, initializeApp } from 'firebase-admin/app';
import {
  AggregateField,
  FieldPath,
  FieldValue,
  type Firestore,
  getFirestore,
  Timestamp,
} from 'firebase-admin/firestore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FirestoreEmulatorHandle } from './index.js';
import { startTestEmulator } from './test-support/clients.js';

let h: FirestoreEmulatorHandle;
let app: App;
let db: Firestore;

beforeAll(async () => {
  h = await startTestEmulator({ projectId: 'demo-admin' });
  process.env['FIRESTORE_EMULATOR_HOST'] = h.hostAndPort;
  app = initializeApp({ projectId: 'demo-admin' }, 'admin-test');
  db = getFirestore(app);
});

afterAll(async () => {
  await deleteApp(app);
  await h.stop();
});

describe('firebase-admin CRUD', { timeout: 30_000 }, () => {
  it('creates, reads, updates and deletes documents with every value type', async () => {
    const ref = db.doc('crud/all-types');
    const ts = Timestamp.fromMillis(1_700_000_000_123);
    await ref.create({
      s: 'text',
      i: 42,
      d: 1.5,
      b: true,
      n: null,
      t: ts,
      bytes: Buffer.from([1, 2, 3]),
      ref: db.doc('other/x'),
      arr: [1, 'two', { three: 3 }],
      map: { nested: { deep: 'yes' } },
    });
    const snap = await ref.get();
    expect(snap.exists).toBe(true);
    const data = snap.data()!;
    expect(data['s']).toBe('text');
    expect(data['i']).toBe(42);
    expect(data['d']).toBe(1.5);
    expect(data['n']).toBeNull();
    expect((data['t'] as Timestamp).toMillis()).toBe(1_700_000_000_123);
    expect(Buffer.from(data['bytes'] as Uint8Array)).toEqual(Buffer.from([1, 2, 3]));
    expect(data['ref'].path).toBe('other/x');
    expect(data['arr']).toEqual([1, 'two', { three: 3 }]);
    expect(data['map']).toEqual({ nested: { deep: 'yes' } });

    await ref.update({ 'map.nested.deep': 'changed', i: FieldValue.delete() });
    const after = (await ref.get()).data()!;
    expect(after['map']).toEqual({ nested: { deep: 'changed' } });
    expect('i' in after).toBe(false);

    await expect(ref.create({ x: 1 })).rejects.toMatchObject({ code: 6 });
    await ref.delete();
    expect((await ref.get()).exists).toBe(false);
    await expect(db.doc('crud/missing').update({ a: 1 })).rejects.toMatchObject({ code: 5 });
  });

  it('merges with set({merge:true}) and honours lastUpdateTime preconditions', async () => {
    const ref = db.doc('crud/merge');
    const w = await ref.set({ a: 1, b: { c: 2 } });
    await ref.set({ b: { d: 3 } }, { merge: true });
    expect((await ref.get()).data()).toEqual({ a: 1, b: { c: 2, d: 3 } });
    await expect(ref.update({ a: 2 }, { lastUpdateTime: w.writeTime })).rejects.toMatchObject({ code: 9 });
    const current = await ref.get();
    await ref.update({ a: 3 }, { lastUpdateTime: current.updateTime! });
    expect((await ref.get()).get('a')).toBe(3);
  });

  it('applies FieldValue transforms and returns their results', async () => {
    const ref = db.doc('crud/transforms');
    await ref.set({ n: 5, big: Number.MAX_SAFE_INTEGER, arr: [1, 2, 3], max: 10, min: 10 });
    const before = Date.now();
    await ref.update({
      n: FieldValue.increment(2),
      f: FieldValue.increment(0.5),
      arr: FieldValue.arrayUnion(3, 4),
      max: FieldValue.increment(0),
      at: FieldValue.serverTimestamp(),
    });
    await ref.update({ arr: FieldValue.arrayRemove(1, 2) });
    const d = (await ref.get()).data()!;
    expect(d['n']).toBe(7);
    expect(d['f']).toBe(0.5);
    expect(d['arr']).toEqual([3, 4]);
    const at = (d['at'] as Timestamp).toMillis();
    expect(at).toBeGreaterThanOrEqual(before - 5);
    expect(at).toBeLessThan(Date.now() + 60_000);
  });

  it('commits batches atomically', async () => {
    const batch = db.batch();
    batch.set(db.doc('batch/a'), { v: 1 });
    batch.set(db.doc('batch/b'), { v: 2 });
    batch.update(db.doc('batch/does-not-exist'), { v: 3 });
    await expect(batch.commit()).rejects.toMatchObject({ code: 5 });
    expect((await db.doc('batch/a').get()).exists).toBe(false);
    const ok = db.batch();
    ok.set(db.doc('batch/a'), { v: 1 });
    ok.set(db.doc('batch/b'), { v: 2 });
    const results = await ok.commit();
    expect(results).toHaveLength(2);
    expect(results[0]!.writeTime.isEqual(results[1]!.writeTime)).toBe(true);
    const all = await db.getAll(db.doc('batch/a'), db.doc('batch/b'), db.doc('batch/none'));
    expect(all.map((s) => s.exists)).toEqual([true, true, false]);
  });
});

describe('firebase-admin transactions', { timeout: 30_000 }, () => {
  it('never loses an update under contention', async () => {
    const ref = db.doc('tx/counter');
    await ref.set({ n: 0 });
    const workers = 20;
    await Promise.all(
      Array.from({ length: workers }, () =>
        db.runTransaction(async (tx) => {
          const snap = await tx.get(ref);
          await new Promise((r) => setTimeout(r, 2));
          tx.update(ref, { n: (snap.get('n') as number) + 1 });
        }),
      ),
    );
    expect((await ref.get()).get('n')).toBe(workers);
  });

  it('aborts a transaction whose read was overwritten outside it, and the SDK retries', async () => {
    const ref = db.doc('tx/outside');
    await ref.set({ n: 0 });
    let attempts = 0;
    await db.runTransaction(async (tx) => {
      attempts++;
      const snap = await tx.get(ref);
      if (attempts === 1) await ref.set({ n: 100 });
      tx.update(ref, { n: (snap.get('n') as number) + 1 });
    });
    expect(attempts).toBe(2);
    expect((await ref.get()).get('n')).toBe(101);
  });

  it('transfers between two documents without deadlock', { timeout: 30_000 }, async () => {
    const a = db.doc('tx/a');
    const b = db.doc('tx/b');
    await a.set({ bal: 100 });
    await b.set({ bal: 100 });
    await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        db.runTransaction(async (tx) => {
          const [from, to] = i % 2 ? [a, b] : [b, a];
          const f = await tx.get(from);
          const t = await tx.get(to);
          tx.update(from, { bal: (f.get('bal') as number) - 1 });
          tx.update(to, { bal: (t.get('bal') as number) + 1 });
        }),
      ),
    );
    const total = ((await a.get()).get('bal') as number) + ((await b.get()).get('bal') as number);
    expect(total).toBe(200);
  });
});

describe('firebase-admin queries', { timeout: 30_000 }, () => {
  beforeAll(async () => {
    const batch = db.batch();
    for (let i = 0; i < 12; i++) {
      batch.set(db.doc(`items/i${String(i).padStart(2, '0')}`), {
        n: i,
        parity: i % 2 ? 'odd' : 'even',
        tags: i % 3 === 0 ? ['three'] : ['other'],
      });
    }
    batch.set(db.doc('users/u1/posts/p1'), { n: 1 });
    batch.set(db.doc('users/u2/posts/p2'), { n: 2 });
    batch.set(db.doc('groups/g/users/u3/posts/p3'), { n: 3 });
    batch.set(db.doc('posts/top'), { n: 4 });
    await batch.commit();
  });

  it('filters, orders, paginates with cursors and limitToLast', async () => {
    const q = db.collection('items').where('parity', '==', 'odd').orderBy('n', 'desc');
    expect((await q.limit(3).get()).docs.map((d) => d.get('n'))).toEqual([11, 9, 7]);
    expect((await q.startAfter(7).limit(2).get()).docs.map((d) => d.get('n'))).toEqual([5, 3]);
    expect((await q.limitToLast(2).get()).docs.map((d) => d.get('n'))).toEqual([3, 1]);
    expect((await db.collection('items').orderBy('n').offset(10).get()).docs.map((d) => d.get('n'))).toEqual([
      10, 11,
    ]);
    const inQ = await db.collection('items').where('n', 'in', [1, 2, 99]).get();
    expect(inQ.docs.map((d) => d.id)).toEqual(['i01', 'i02']);
    const notIn = await db.collection('items').where('n', 'not-in', [0, 1, 2]).orderBy('n').limit(2).get();
    expect(notIn.docs.map((d) => d.get('n'))).toEqual([3, 4]);
    const ac = await db.collection('items').where('tags', 'array-contains', 'three').get();
    expect(ac.size).toBe(4);
    const neq = await db.collection('items').where('parity', '!=', 'odd').get();
    expect(neq.size).toBe(6);
    const byId = await db.collection('items').where(FieldPath.documentId(), '>=', 'i10').get();
    expect(byId.docs.map((d) => d.id)).toEqual(['i10', 'i11']);
  });

  it('runs collection-group queries at every depth', async () => {
    const all = await db.collectionGroup('posts').orderBy('n').get();
    expect(all.docs.map((d) => d.ref.path)).toEqual([
      'users/u1/posts/p1',
      'users/u2/posts/p2',
      'groups/g/users/u3/posts/p3',
      'posts/top',
    ]);
  });

  it('aggregates count, sum and average', async () => {
    const snap = await db
      .collection('items')
      .where('parity', '==', 'even')
      .aggregate({ c: AggregateField.count(), s: AggregateField.sum('n'), a: AggregateField.average('n') })
      .get();
    expect(snap.data()).toEqual({ c: 6, s: 30, a: 5 });
    expect((await db.collection('items').count().get()).data().count).toBe(12);
  });

  it('lists collections and documents', async () => {
    const ids = (await db.listCollections()).map((c) => c.id);
    expect(ids).toEqual(expect.arrayContaining(['items', 'users', 'groups', 'posts']));
    const users = await db.collection('users').listDocuments();
    expect(users.map((d) => d.id).sort()).toEqual(['u1', 'u2']);
    const sub = await db.doc('users/u1').listCollections();
    expect(sub.map((c) => c.id)).toEqual(['posts']);
  });

  it('writes in bulk with BulkWriter', async () => {
    const writer = db.bulkWriter();
    for (let i = 0; i < 150; i++) void writer.set(db.doc(`bulk/d${i}`), { i });
    await writer.close();
    expect((await db.collection('bulk').count().get()).data().count).toBe(150);
  });

  it('streams snapshot listeners with later changes', async () => {
    const seen: string[][] = [];
    let resolveNext: (() => void) | undefined;
    const unsub = db
      .collection('live')
      .where('on', '==', true)
      .onSnapshot((s) => {
        seen.push(s.docs.map((d) => d.id));
        resolveNext?.();
      });
    const next = () =>
      new Promise<void>((r) => {
        resolveNext = r;
      });
    await next();
    const n1 = next();
    await db.doc('live/a').set({ on: true });
    await n1;
    const n2 = next();
    await db.doc('live/a').update({ on: false });
    await n2;
    unsub();
    expect(seen).toEqual([[], ['a'], []]);
  });
});

describe('firebase-admin limit listeners', { timeout: 30_000 }, () => {
  it('moves documents in and out of a limited, ordered snapshot', async () => {
    const col = db.collection('ranked');
    await col.doc('a').set({ score: 1 });
    await col.doc('b').set({ score: 2 });
    await col.doc('c').set({ score: 3 });
    const seen: string[][] = [];
    let waiter: { n: number; resolve: () => void } | undefined;
    const unsub = col
      .orderBy('score', 'desc')
      .limit(2)
      .onSnapshot((s) => {
        seen.push(s.docs.map((d) => d.id));
        if (waiter && seen.length >= waiter.n) waiter.resolve();
      });
    const until = (n: number) =>
      new Promise<void>((resolve) => {
        if (seen.length >= n) resolve();
        else waiter = { n, resolve };
      });
    await until(1);
    await col.doc('a').update({ score: 10 });
    await until(2);
    await col.doc('c').delete();
    await until(3);
    unsub();
    expect(seen).toEqual([
      ['c', 'b'],
      ['a', 'c'],
      ['a', 'b'],
    ]);
  });
});

describe('project isolation', { timeout: 30_000 }, () => {
  it("keeps each project's data separate", async () => {
    const other = initializeApp({ projectId: 'demo-other' }, 'other-project');
    const odb = getFirestore(other);
    await odb.doc('iso/x').set({ from: 'other' });
    expect((await db.doc('iso/x').get()).exists).toBe(false);
    expect((await odb.doc('iso/x').get()).get('from')).toBe('other');
    await deleteApp(other);
  });
});
