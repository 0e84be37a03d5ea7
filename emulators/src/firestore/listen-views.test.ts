/**
 * Listeners of the same query share one diff per commit (listen.ts, QueryView). What each client
 * sees must not depend on who else listens: watch semantics as firebase-admin's onSnapshot
 * (Listen over gRPC) reports them.
 */
import type { Firestore, Query } from '@google-cloud/firestore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FirestoreEmulatorHandle } from './index.js';
import { adminClient, startTestEmulator } from './test-support/clients.js';

let h: FirestoreEmulatorHandle;
const clients: Firestore[] = [];

beforeAll(async () => {
  h = await startTestEmulator({ projectId: 'demo-views' });
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.terminate()));
  await h.stop();
});

/** A separate client (its own Listen stream), listening to `query(db)`; ids per snapshot. */
function listen(query: (db: Firestore) => Query) {
  const db = adminClient(h);
  clients.push(db);
  const seen: string[][] = [];
  const waiters: { n: number; resolve: () => void }[] = [];
  const unsubscribe = query(db).onSnapshot((s) => {
    seen.push(s.docs.map((d) => d.id));
    for (const w of waiters.filter((w) => seen.length >= w.n)) w.resolve();
  });
  const until = (n: number) =>
    new Promise<void>((resolve) => (seen.length >= n ? resolve() : waiters.push({ n, resolve })));
  return { seen, until, unsubscribe, last: () => seen[seen.length - 1] };
}

describe('listeners of one query share its diff', { timeout: 30_000 }, () => {
  it('a limited query: one listener leaving, another joining after commits; each sees the result alone would give', async () => {
    const writer = adminClient(h);
    clients.push(writer);
    const col = writer.collection('ranked');
    await col.doc('a').set({ score: 1 });
    await col.doc('b').set({ score: 2 });
    const top2 = (db: Firestore) => db.collection('ranked').orderBy('score', 'desc').limit(2);
    const first = listen(top2);
    const second = listen(top2);
    await first.until(1);
    await second.until(1);
    expect(first.last()).toEqual(['b', 'a']);

    await col.doc('c').set({ score: 3 });
    await first.until(2);
    await second.until(2);
    expect(first.last()).toEqual(['c', 'b']);
    expect(second.last()).toEqual(['c', 'b']);

    first.unsubscribe();
    await col.doc('a').update({ score: 10 });
    await second.until(3);
    expect(second.last()).toEqual(['a', 'c']);

    // Joins after the view has moved on: starts from the current result and follows it.
    const third = listen(top2);
    await third.until(1);
    expect(third.last()).toEqual(['a', 'c']);
    await col.doc('c').delete();
    await second.until(4);
    await third.until(2);
    expect(second.last()).toEqual(['a', 'b']);
    expect(third.last()).toEqual(['a', 'b']);
    expect(first.seen).toEqual([
      ['b', 'a'],
      ['c', 'b'],
    ]);
    second.unsubscribe();
    third.unsubscribe();
  });

  it('listeners of queries that differ only in a filter value (Infinity, -Infinity) each get their own result', async () => {
    const writer = adminClient(h);
    clients.push(writer);
    await writer.doc('inf/one').set({ x: 1 });
    const below = listen((db) => db.collection('inf').where('x', '<', Number.POSITIVE_INFINITY));
    const belowNothing = listen((db) => db.collection('inf').where('x', '<', Number.NEGATIVE_INFINITY));
    await below.until(1);
    await belowNothing.until(1);
    expect(below.last()).toEqual(['one']);
    expect(belowNothing.last()).toEqual([]);
    await writer.doc('inf/two').set({ x: 2 });
    await below.until(2);
    expect(below.last()).toEqual(['one', 'two']);
    // A change outside its result gives the other listener no snapshot with documents.
    expect(belowNothing.seen.every((ids) => ids.length === 0)).toBe(true);
    below.unsubscribe();
    belowNothing.unsubscribe();
  });
});
