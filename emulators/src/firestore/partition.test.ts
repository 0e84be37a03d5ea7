/**
 * PartitionQuery (projects.databases.documents/partitionQuery): firebase-admin's
 * CollectionGroup.getPartitions over gRPC, and the REST method with its validation and rules.
 */
import type { Firestore } from '@google-cloud/firestore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FirestoreEmulatorHandle } from './index.js';
import { adminClient, docsUrl, mockIdToken, rest, startTestEmulator } from './test-support/clients.js';

let h: FirestoreEmulatorHandle;
let db: Firestore;
const ids: string[] = [];

beforeAll(async () => {
  h = await startTestEmulator({ projectId: 'demo-partition' });
  db = adminClient(h);
  // One collection group under three different parents, plus a look-alike that must stay out.
  const batch = db.batch();
  for (let i = 0; i < 30; i++) {
    const parent = ['', 'shops/a/', 'shops/b/'][i % 3]!;
    const id = `item${String(i).padStart(2, '0')}`;
    batch.set(db.doc(`${parent}items/${id}`), { i, public: i % 2 === 0 });
    ids.push(`${parent}items/${id}`);
  }
  batch.set(db.doc('itemsx/other'), { i: -1 });
  await batch.commit();
});

afterAll(async () => {
  await db.terminate();
  await h.stop();
});

async function partitionedPaths(desired: number): Promise<{ partitions: number; paths: string[][] }> {
  const paths: string[][] = [];
  for await (const partition of db.collectionGroup('items').getPartitions(desired)) {
    const snap = await partition.toQuery().get();
    paths.push(snap.docs.map((d) => d.ref.path));
  }
  return { partitions: paths.length, paths };
}

const byName = (a: string, b: string) => (`/${a}` < `/${b}` ? -1 : 1);

describe('PartitionQuery through firebase-admin (gRPC)', { timeout: 30_000 }, () => {
  it('splits a collection group into at most the desired partitions that cover every document once, in order', async () => {
    const { partitions, paths } = await partitionedPaths(4);
    expect(partitions).toBe(4);
    expect(paths.every((p) => p.length > 0)).toBe(true);
    // Partitions follow each other in __name__ order, so their concatenation is the whole group, sorted.
    const all = (await db.collectionGroup('items').orderBy('__name__').get()).docs.map((d) => d.ref.path);
    expect(paths.flat()).toEqual(all);
    expect([...all].sort()).toEqual([...ids].sort());
  });

  it('returns the whole group as one partition when one is asked for, and never more than it has documents', async () => {
    expect((await partitionedPaths(1)).paths.map((p) => p.length)).toEqual([30]);
    const few = await partitionedPaths(1000);
    expect(few.partitions).toBeLessThanOrEqual(30);
    expect(few.paths.flat().sort(byName)).toEqual([...ids].sort(byName));
  });
});

describe('PartitionQuery over REST', { timeout: 30_000 }, () => {
  const groupQuery = {
    from: [{ collectionId: 'items', allDescendants: true }],
    orderBy: [{ field: { fieldPath: '__name__' }, direction: 'ASCENDING' }],
  };
  const owner = { authorization: 'Bearer owner' };
  const url = () => `${docsUrl(h)}:partitionQuery`;

  it('pages its cursors by pageSize and nextPageToken', async () => {
    const first = await rest(url(), { structuredQuery: groupQuery, partitionCount: '5', pageSize: 3 }, owner);
    expect(first.status).toBe(200);
    const a = first.json as { partitions: { values: { referenceValue: string }[] }[]; nextPageToken: string };
    expect(a.partitions).toHaveLength(3);
    expect(a.nextPageToken).not.toBe('');
    const second = await rest(
      url(),
      { structuredQuery: groupQuery, partitionCount: '5', pageSize: 3, pageToken: a.nextPageToken },
      owner,
    );
    const b = second.json as typeof a;
    expect(b.partitions).toHaveLength(2);
    expect(b.nextPageToken).toBe('');
    const points = [...a.partitions, ...b.partitions].map((c) => c.values[0]!.referenceValue);
    expect(points.every((p) => p.startsWith('projects/demo-partition/databases/(default)/documents/'))).toBe(
      true,
    );
    expect(new Set(points).size).toBe(5);
  });

  it.each([
    ['a query of one collection only', { ...groupQuery, from: [{ collectionId: 'items' }] }, '1'],
    [
      'a filter',
      {
        ...groupQuery,
        where: { fieldFilter: { field: { fieldPath: 'i' }, op: 'EQUAL', value: { integerValue: '1' } } },
      },
      '1',
    ],
    ['another order', { ...groupQuery, orderBy: [{ field: { fieldPath: 'i' } }] }, '1'],
    [
      '__name__ descending',
      { ...groupQuery, orderBy: [{ field: { fieldPath: '__name__' }, direction: 'DESCENDING' }] },
      '1',
    ],
    ['a limit', { ...groupQuery, limit: 5 }, '1'],
    ['a partition count of zero', groupQuery, '0'],
    ['a partition count that is not a number', groupQuery, 'many'],
  ])('refuses %s with INVALID_ARGUMENT', async (_what, structuredQuery, partitionCount) => {
    const r = await rest(url(), { structuredQuery, partitionCount }, owner);
    expect(r.status).toBe(400);
    expect((r.json as { error: { status: string } }).error.status).toBe('INVALID_ARGUMENT');
  });

  it('refuses a document as the parent', async () => {
    const r = await rest(
      `${docsUrl(h)}/shops/a:partitionQuery`,
      { structuredQuery: groupQuery, partitionCount: '2' },
      owner,
    );
    expect(r.status).toBe(400);
  });

  it('holds callers under rules to the list rule of the collection group, as a query of it would', async () => {
    const put = await fetch(`${h.url}/emulator/v1/projects/demo-partition:securityRules`, {
      method: 'PUT',
      body: JSON.stringify({
        rules: {
          files: [
            {
              content: `rules_version = '2';
service cloud.firestore {
  match /databases/{database}/documents {
    match /{path=**}/items/{id} {
      allow list: if request.auth.uid == 'reader';
    }
  }
}`,
            },
          ],
        },
      }),
    });
    expect(put.status).toBe(200);
    const as = (uid: string) => ({ authorization: `Bearer ${mockIdToken({ sub: uid, user_id: uid })}` });
    const reader = await rest(url(), { structuredQuery: groupQuery, partitionCount: '2' }, as('reader'));
    expect(reader.status).toBe(200);
    expect((reader.json as { partitions: unknown[] }).partitions).toHaveLength(2);
    const other = await rest(url(), { structuredQuery: groupQuery, partitionCount: '2' }, as('someone'));
    expect(other.status).toBe(403);
    expect((other.json as { error: { status: string } }).error.status).toBe('PERMISSION_DENIED');
  });
});
