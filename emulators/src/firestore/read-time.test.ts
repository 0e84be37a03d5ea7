/**
 * Reads at a `readTime` (issue 18): REST and gRPC reads and read-only transactions see the data as
 * of that time. Expected answers come from Google's Firestore emulator asked the same requests over
 * REST (codes and messages) and firestore.proto's `read_time` comments (semantics).
 */
import { Timestamp } from '@google-cloud/firestore';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FirestoreEmulatorHandle } from './index.js';
import { adminClient, allowAll, docsUrl, rest, startTestEmulator } from './test-support/clients.js';

const OWNER = { authorization: 'Bearer owner' };
const ROOT = 'projects/demo-readtime/databases/(default)/documents';
type Json = Record<string, unknown>;

let h: FirestoreEmulatorHandle;
/** Times between the commits below: c/a is 1 at t1, 2 at t2 (c/b created), deleted at t3. */
let t1: string;
let t2: string;
let t3: string;

async function commit(writes: Json[]): Promise<string> {
  const r = await rest(`${docsUrl(h)}:commit`, { writes }, OWNER);
  expect(r.status).toBe(200);
  return (r.json as { commitTime: string }).commitTime;
}

const set = (path: string, v: number) => ({
  update: { name: `${ROOT}/${path}`, fields: { v: { integerValue: String(v) } } },
});

beforeAll(async () => {
  h = await startTestEmulator({ projectId: 'demo-readtime', rulesCompiler: allowAll, rules: 'allow all' });
  t1 = await commit([set('c/a', 1), set('c/a/sub/x', 9)]);
  t2 = await commit([set('c/a', 2), set('c/b', 5)]);
  t3 = await commit([{ delete: `${ROOT}/c/a` }]);
});

afterAll(async () => {
  await h.stop();
});

function values(r: { json: unknown }): unknown[] {
  return (r.json as { document?: { fields: { v: { integerValue: string } } } }[])
    .filter((x) => x.document)
    .map((x) => x.document!.fields.v.integerValue);
}

describe('readTime reads over REST (firestore.proto read_time: "Reads documents as they were at the given time")', () => {
  it('batchGet answers the version current at readTime, and echoes readTime (Google emulator)', async () => {
    const r = await rest(`${docsUrl(h)}:batchGet`, { documents: [`${ROOT}/c/a`], readTime: t1 }, OWNER);
    expect(r.status).toBe(200);
    const [item] = r.json as { found?: { fields: Json }; readTime: string }[];
    expect(item!.found?.fields).toEqual({ v: { integerValue: '1' } });
    expect(item!.readTime).toBe(t1);
    const after = await rest(`${docsUrl(h)}:batchGet`, { documents: [`${ROOT}/c/a`], readTime: t3 }, OWNER);
    expect((after.json as Json[])[0]).toHaveProperty('missing');
  });

  it('runQuery sees deleted documents back and later ones absent (Google emulator)', async () => {
    const q = { structuredQuery: { from: [{ collectionId: 'c' }] } };
    expect(values(await rest(`${docsUrl(h)}:runQuery`, { ...q, readTime: t1 }, OWNER))).toEqual(['1']);
    expect(values(await rest(`${docsUrl(h)}:runQuery`, { ...q, readTime: t2 }, OWNER))).toEqual(['2', '5']);
    expect(values(await rest(`${docsUrl(h)}:runQuery`, q, OWNER))).toEqual(['5']);
  });

  it('runAggregationQuery aggregates the documents as of readTime (Google emulator)', async () => {
    const r = await rest(
      `${docsUrl(h)}:runAggregationQuery`,
      {
        structuredAggregationQuery: {
          structuredQuery: { from: [{ collectionId: 'c' }] },
          aggregations: [{ alias: 's', sum: { field: { fieldPath: 'v' } } }],
        },
        readTime: t2,
      },
      OWNER,
    );
    expect((r.json as { result: { aggregateFields: Json } }[])[0]!.result.aggregateFields).toEqual({
      s: { integerValue: '7' },
    });
  });

  it('GET document and GET list take readTime as a query parameter (REST reference: documents.get, documents.list)', async () => {
    const one = await fetch(`${docsUrl(h)}/c/a?readTime=${t1}`, { headers: OWNER });
    expect(((await one.json()) as { fields: Json }).fields).toEqual({ v: { integerValue: '1' } });
    const gone = await fetch(`${docsUrl(h)}/c/a?readTime=${t3}`, { headers: OWNER });
    expect(gone.status).toBe(404);
    const list = await fetch(`${docsUrl(h)}/c?readTime=${t1}&showMissing=true`, { headers: OWNER });
    const names = ((await list.json()) as { documents: { name: string }[] }).documents.map((d) => d.name);
    expect(names).toEqual([`${ROOT}/c/a`]);
    const missing = await fetch(`${docsUrl(h)}/c?readTime=${t3}&showMissing=true`, { headers: OWNER });
    const m = ((await missing.json()) as { documents: { name: string; fields?: Json }[] }).documents;
    // After the delete c/a is a "missing" document: it has a subcollection (REST reference: showMissing).
    expect(m.map((d) => d.name)).toEqual([`${ROOT}/c/a`, `${ROOT}/c/b`]);
  });

  it('a read-only transaction begun with readTime reads as of it in every read (Google emulator)', async () => {
    const b = await rest(
      `${docsUrl(h)}:beginTransaction`,
      { options: { readOnly: { readTime: t1 } } },
      OWNER,
    );
    const transaction = (b.json as { transaction: string }).transaction;
    const g = await rest(`${docsUrl(h)}:batchGet`, { documents: [`${ROOT}/c/a`], transaction }, OWNER);
    expect((g.json as { found?: { fields: Json }; readTime: string }[])[0]!.readTime).toBe(t1);
    const q = await rest(
      `${docsUrl(h)}:runQuery`,
      { structuredQuery: { from: [{ collectionId: 'c' }] }, transaction },
      OWNER,
    );
    expect(values(q)).toEqual(['1']);
    const n = await rest(
      `${docsUrl(h)}:runQuery`,
      { structuredQuery: { from: [{ collectionId: 'c' }] }, newTransaction: { readOnly: { readTime: t2 } } },
      OWNER,
    );
    expect(values(n)).toEqual(['2', '5']);
  });

  it('refuses future, too old, pre-epoch and sub-microsecond read times with Google emulator codes and messages', async () => {
    const ask = (readTime: unknown) =>
      rest(`${docsUrl(h)}:batchGet`, { documents: [`${ROOT}/c/a`], readTime }, OWNER).then(
        (r) => r.json as { error: { status: string; message: string } },
      );
    expect((await ask('2999-01-01T00:00:00Z')).error).toMatchObject({
      status: 'INVALID_ARGUMENT',
      message: "The requested 'read_time' cannot be in the future.",
    });
    expect((await ask('2020-01-01T00:00:00Z')).error).toMatchObject({
      status: 'FAILED_PRECONDITION',
      message: "The requested 'read_time' is too old.",
    });
    expect((await ask('1970-01-01T00:00:00Z')).error.message).toBe(
      'Only timestamps past epoch are supported.',
    );
    expect((await ask('2026-01-01T00:00:00.0000001Z')).error.message).toBe(
      'timestamp cannot have more than microseconds precision',
    );
    const both = await rest(
      `${docsUrl(h)}:batchGet`,
      { documents: [`${ROOT}/c/a`], readTime: t1, newTransaction: { readOnly: {} } },
      OWNER,
    );
    expect(both.status).toBe(400);
    const begin = await rest(
      `${docsUrl(h)}:beginTransaction`,
      { options: { readOnly: { readTime: '2020-01-01T00:00:00Z' } } },
      OWNER,
    );
    expect((begin.json as { error: { status: string } }).error.status).toBe('FAILED_PRECONDITION');
  });
});

describe('readTime reads after a clear', () => {
  it("still see the cleared documents at an earlier time (Google's emulator keeps history across DELETE /emulator/v1/…/documents)", async () => {
    const r = await fetch(`${h.url}/emulator/v1/projects/demo-readtime/databases/(default)/documents`, {
      method: 'DELETE',
    });
    expect(r.status).toBe(200);
    const q = { structuredQuery: { from: [{ collectionId: 'c' }] } };
    expect(values(await rest(`${docsUrl(h)}:runQuery`, q, OWNER))).toEqual([]);
    expect(values(await rest(`${docsUrl(h)}:runQuery`, { ...q, readTime: t2 }, OWNER))).toEqual(['2', '5']);
  });
});

describe('readTime reads over gRPC (firebase-admin: runTransaction readOnly readTime, firestore.proto)', () => {
  it('a read-only transaction at readTime sees the documents of that time, documents and queries', async () => {
    const db = adminClient(h);
    try {
      const readTime = Timestamp.fromDate(new Date(t1));
      const [a, all] = await db.runTransaction(
        async (tx) => [await tx.get(db.doc('c/a')), await tx.get(db.collection('c'))] as const,
        { readOnly: true, readTime },
      );
      expect(a.get('v')).toBe(1);
      expect(all.docs.map((d) => d.id)).toEqual(['a']);
      const later = await db.runTransaction(async (tx) => tx.get(db.collection('c')), {
        readOnly: true,
        readTime: Timestamp.fromDate(new Date(t2)),
      });
      expect(later.docs.map((d) => d.get('v'))).toEqual([2, 5]);
      expect((await db.doc('c/a').get()).exists).toBe(false);
    } finally {
      await db.terminate();
    }
  });
});
