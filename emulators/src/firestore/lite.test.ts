/**
 * `firebase/firestore/lite` in Node (REST: commit, batchGet, runQuery, runAggregationQuery) and the
 * REST surface's HTTP details (CORS, error format, emulator endpoints).
 */
import { deleteApp, type FirebaseApp, initializeApp } from 'firebase/app';
import {
  and,
  average,
  collection,
  collectionGroup,
  connectFirestoreEmulator,
  count,
  deleteDoc,
  doc,
  endBefore,
  type Firestore,
  getAggregate,
  getDoc,
  getDocs,
  getFirestore,
  limit,
  limitToLast,
  or,
  orderBy,
  query,
  runTransaction,
  setDoc,
  setLogLevel,
  startAt,
  sum,
  terminate,
  updateDoc,
  where,
  writeBatch,
} from 'firebase/firestore/lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FirestoreEmulatorHandle } from './index.js';
import { allowAll, docsUrl, rest, startTestEmulator } from './test-support/clients.js';

let h: FirestoreEmulatorHandle;
let app: FirebaseApp;
let db: Firestore;

beforeAll(async () => {
  // Retried transaction commits log warnings by design; keep the output readable.
  setLogLevel('silent');
  h = await startTestEmulator({ projectId: 'demo-lite', rulesCompiler: allowAll, rules: 'allow all' });
  app = initializeApp({ projectId: 'demo-lite', apiKey: 'fake-key' }, 'lite');
  db = getFirestore(app);
  connectFirestoreEmulator(db, '127.0.0.1', h.port, { mockUserToken: { sub: 'bob' } });
  const batch = writeBatch(db);
  const cities = [
    ['sf', 'SF', 'CA', 860_000, ['west', 'coast']],
    ['la', 'LA', 'CA', 3_900_000, ['west']],
    ['dc', 'DC', null, 680_000, ['east']],
    ['tok', 'Tokyo', 'TK', 9_000_000, []],
    ['bj', 'Beijing', 'BJ', 21_500_000, ['east', 'capital']],
  ] as const;
  for (const [id, name, state, pop, regions] of cities) {
    batch.set(doc(db, 'cities', id), { name, state, pop, regions: [...regions] });
  }
  batch.set(doc(db, 'cities/sf/landmarks/gg'), { name: 'Golden Gate', kind: 'bridge' });
  batch.set(doc(db, 'cities/bj/landmarks/fc'), { name: 'Forbidden City', kind: 'museum' });
  await batch.commit();
});

afterAll(async () => {
  await terminate(db);
  await deleteApp(app);
  await h.stop();
});

const ids = async (q: Parameters<typeof getDocs>[0]) => (await getDocs(q)).docs.map((d) => d.id);

describe('lite SDK', { timeout: 30_000 }, () => {
  it('reads, writes, updates and deletes', async () => {
    await setDoc(doc(db, 'things/t1'), { a: 1, nested: { b: 2 } });
    await updateDoc(doc(db, 'things/t1'), { 'nested.c': 3 });
    expect((await getDoc(doc(db, 'things/t1'))).data()).toEqual({ a: 1, nested: { b: 2, c: 3 } });
    await deleteDoc(doc(db, 'things/t1'));
    expect((await getDoc(doc(db, 'things/t1'))).exists()).toBe(false);
  });

  it('supports every filter operator and composite filters', async () => {
    const c = collection(db, 'cities');
    expect(await ids(query(c, where('state', '==', 'CA')))).toEqual(['la', 'sf']);
    expect(await ids(query(c, where('pop', '<', 1_000_000)))).toEqual(['dc', 'sf']);
    expect(await ids(query(c, where('pop', '>=', 9_000_000)))).toEqual(['tok', 'bj']);
    expect(await ids(query(c, where('state', '!=', 'CA')))).toEqual(['bj', 'tok']);
    expect(await ids(query(c, where('state', 'in', ['TK', 'BJ'])))).toEqual(['bj', 'tok']);
    expect(await ids(query(c, where('state', 'not-in', ['CA', 'TK'])))).toEqual(['bj']);
    expect(await ids(query(c, where('regions', 'array-contains', 'east')))).toEqual(['bj', 'dc']);
    expect(await ids(query(c, where('regions', 'array-contains-any', ['coast', 'capital'])))).toEqual([
      'bj',
      'sf',
    ]);
    expect(await ids(query(c, where('state', '==', null)))).toEqual(['dc']);
    expect(
      await ids(
        query(
          c,
          or(where('state', '==', 'TK'), and(where('state', '==', 'CA'), where('pop', '>', 1_000_000))),
        ),
      ),
    ).toEqual(['la', 'tok']);
  });

  it('orders by several fields, with cursors, limit and limitToLast', async () => {
    const c = collection(db, 'cities');
    expect(await ids(query(c, orderBy('state'), orderBy('pop', 'desc')))).toEqual([
      'dc',
      'bj',
      'la',
      'sf',
      'tok',
    ]);
    expect(await ids(query(c, orderBy('pop'), startAt(860_000), limit(2)))).toEqual(['sf', 'la']);
    expect(await ids(query(c, orderBy('pop'), limitToLast(2)))).toEqual(['tok', 'bj']);
    expect(await ids(query(c, orderBy('pop'), endBefore(860_000)))).toEqual(['dc']);
  });

  it('queries collection groups and aggregates', async () => {
    expect(await ids(query(collectionGroup(db, 'landmarks'), orderBy('name')))).toEqual(['fc', 'gg']);
    const agg = await getAggregate(query(collection(db, 'cities'), where('state', '==', 'CA')), {
      n: count(),
      total: sum('pop'),
      mean: average('pop'),
    });
    expect(agg.data()).toEqual({ n: 2, total: 4_760_000, mean: 2_380_000 });
  });

  it('runs transactions with preconditions and retries', async () => {
    await setDoc(doc(db, 'counters/c'), { n: 0 });
    await Promise.all(
      Array.from({ length: 5 }, () =>
        runTransaction(db, async (tx) => {
          const s = await tx.get(doc(db, 'counters/c'));
          tx.set(doc(db, 'counters/c'), { n: (s.get('n') as number) + 1 });
        }),
      ),
    );
    expect((await getDoc(doc(db, 'counters/c'))).get('n')).toBe(5);
  });
});

describe('REST details', { timeout: 30_000 }, () => {
  it('answers CORS preflights from a browser origin', async () => {
    const r = await fetch(`${docsUrl(h)}:commit`, {
      method: 'OPTIONS',
      headers: {
        origin: 'http://localhost:5173',
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,content-type,x-goog-api-client',
      },
    });
    expect(r.status).toBe(204);
    expect(r.headers.get('access-control-allow-origin')).toBe('http://localhost:5173');
    expect(r.headers.get('access-control-allow-headers')).toBe(
      'authorization,content-type,x-goog-api-client',
    );
    expect(r.headers.get('access-control-allow-methods')).toContain('POST');
  });

  it('reports errors in Google API format with the matching HTTP status', async () => {
    const bad = await rest(`${docsUrl(h)}:commit`, '{not json', { authorization: 'Bearer owner' });
    expect(bad.status).toBe(400);
    expect(bad.json).toMatchObject({ error: { code: 400, status: 'INVALID_ARGUMENT' } });
    const exists = await rest(
      `${docsUrl(h)}:commit`,
      {
        writes: [
          {
            update: { name: 'projects/demo-lite/databases/(default)/documents/cities/sf', fields: {} },
            currentDocument: { exists: false },
          },
        ],
      },
      { authorization: 'Bearer owner' },
    );
    expect(exists.status).toBe(409);
    expect(exists.json).toMatchObject({ error: { status: 'ALREADY_EXISTS' } });
    const badName = await rest(`${docsUrl(h)}:batchGet`, {
      documents: ['projects/demo-lite/databases/(default)/documents/odd'],
    });
    expect(badName.status).toBe(400);
    const reserved = await rest(
      `${docsUrl(h)}:commit`,
      {
        writes: [
          { update: { name: 'projects/demo-lite/databases/(default)/documents/c/__x__', fields: {} } },
        ],
      },
      { authorization: 'Bearer owner' },
    );
    expect(reserved.status).toBe(400);
  });

  it('runs REST transactions with beginTransaction, reads, commit and rollback', async () => {
    const owner = { authorization: 'Bearer owner' };
    const name = 'projects/demo-lite/databases/(default)/documents/rest-tx/doc';
    const begin = await rest(`${docsUrl(h)}:beginTransaction`, {}, owner);
    const txn = (begin.json as { transaction: string }).transaction;
    expect(typeof txn).toBe('string');
    const read = await rest(`${docsUrl(h)}:batchGet`, { documents: [name], transaction: txn }, owner);
    expect(read.json).toEqual([expect.objectContaining({ missing: name })]);
    const commit = await rest(
      `${docsUrl(h)}:commit`,
      { transaction: txn, writes: [{ update: { name, fields: { v: { integerValue: '1' } } } }] },
      owner,
    );
    expect(commit.status).toBe(200);
    const reused = await rest(`${docsUrl(h)}:commit`, { transaction: txn, writes: [] }, owner);
    expect(reused.status).toBe(400);
    const second = (await rest(`${docsUrl(h)}:beginTransaction`, {}, owner)).json as { transaction: string };
    await rest(`${docsUrl(h)}:batchGet`, { documents: [name], transaction: second.transaction }, owner);
    expect((await rest(`${docsUrl(h)}:rollback`, { transaction: second.transaction }, owner)).status).toBe(
      200,
    );
    // The rolled-back transaction's lock is gone: a new transaction reads at once.
    const third = (await rest(`${docsUrl(h)}:beginTransaction`, {}, owner)).json as { transaction: string };
    const again = await rest(
      `${docsUrl(h)}:batchGet`,
      { documents: [name], transaction: third.transaction },
      owner,
    );
    expect(again.json).toEqual([expect.objectContaining({ found: expect.objectContaining({ name }) })]);
  });

  it('rejects documents over 1 MiB', async () => {
    const big = 'x'.repeat(1_048_576);
    const r = await rest(
      `${docsUrl(h)}:commit`,
      {
        writes: [
          {
            update: {
              name: 'projects/demo-lite/databases/(default)/documents/big/one',
              fields: { s: { stringValue: big } },
            },
          },
        ],
      },
      { authorization: 'Bearer owner' },
    );
    expect(r.status).toBe(400);
    expect(JSON.stringify(r.json)).toContain('exceeds the maximum allowed size');
    const ok = await rest(
      `${docsUrl(h)}:commit`,
      {
        writes: [
          {
            update: {
              name: 'projects/demo-lite/databases/(default)/documents/big/two',
              fields: { s: { stringValue: 'x'.repeat(1_000_000) } },
            },
          },
        ],
      },
      { authorization: 'Bearer owner' },
    );
    expect(ok.status).toBe(200);
  });

  it('serves single documents by GET for cross-service rules lookups', async () => {
    const r = await fetch(`${docsUrl(h)}/cities/sf`, { headers: { authorization: 'Bearer owner' } });
    expect(r.status).toBe(200);
    const body = (await r.json()) as { name: string; fields: Record<string, unknown> };
    expect(body.name).toBe('projects/demo-lite/databases/(default)/documents/cities/sf');
    expect(body.fields['state']).toEqual({ stringValue: 'CA' });
    const missing = await fetch(`${docsUrl(h)}/cities/nowhere`, {
      headers: { authorization: 'Bearer owner' },
    });
    expect(missing.status).toBe(404);
  });

  it('clears a project with the emulator DELETE endpoint', async () => {
    const other = 'demo-lite-clear';
    const name = `projects/${other}/databases/(default)/documents/x/y`;
    await rest(
      `${docsUrl(h, other)}:commit`,
      { writes: [{ update: { name, fields: {} } }] },
      { authorization: 'Bearer owner' },
    );
    const del = await fetch(`${h.url}/emulator/v1/projects/${other}/databases/(default)/documents`, {
      method: 'DELETE',
    });
    expect(del.status).toBe(200);
    const got = await rest(
      `${docsUrl(h, other)}:batchGet`,
      { documents: [name] },
      { authorization: 'Bearer owner' },
    );
    expect(got.json).toEqual([expect.objectContaining({ missing: name })]);
    expect((await getDoc(doc(db, 'cities/sf'))).exists()).toBe(true);
  });
});
