/**
 * Answers that must match Google's Firestore emulator (issue 18), over REST. Each test names where
 * the expected answer comes from: Google's emulator (gcloud's cloud_firestore_emulator, asked the
 * same request over REST), google/firestore/v1 proto comments, or production where the two differ.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FirestoreEmulatorHandle } from './index.js';
import { allowAll, docsUrl, rest, startTestEmulator } from './test-support/clients.js';

const OWNER = { authorization: 'Bearer owner' };
const ROOT = 'projects/demo-parity/databases/(default)/documents';

let h: FirestoreEmulatorHandle;

beforeAll(async () => {
  h = await startTestEmulator({ projectId: 'demo-parity', rulesCompiler: allowAll, rules: 'allow all' });
});

afterAll(async () => {
  await h.stop();
});

type Json = Record<string, unknown>;
const int = (n: number | string) => ({ integerValue: String(n) });
const NULL = { nullValue: null };
const NAN = { doubleValue: 'NaN' };
const arr = (...values: unknown[]) => ({ arrayValue: { values } });
const ref = (path: string) => ({ referenceValue: `${ROOT}/${path}` });

function set(path: string, fields: Json = {}, extra: Json = {}): Json {
  return { update: { name: `${ROOT}/${path}`, fields }, ...extra };
}

async function commit(writes: Json[]): Promise<{ status: number; json: unknown }> {
  return rest(`${docsUrl(h)}:commit`, { writes }, OWNER);
}

async function query(structuredQuery: Json, parent = ''): Promise<{ status: number; json: unknown }> {
  return rest(`${docsUrl(h)}${parent}:runQuery`, { structuredQuery }, OWNER);
}

async function ids(structuredQuery: Json): Promise<string[]> {
  const r = await query(structuredQuery);
  expect(r.status).toBe(200);
  return (r.json as { document?: { name: string } }[])
    .filter((x) => x.document)
    .map((x) => x.document!.name.slice(x.document!.name.lastIndexOf('/') + 1));
}

async function aggregate(
  structuredQuery: Json,
  aggregations: Json[],
): Promise<{ status: number; json: unknown }> {
  return rest(
    `${docsUrl(h)}:runAggregationQuery`,
    { structuredAggregationQuery: { structuredQuery, aggregations } },
    OWNER,
  );
}

function invalid(message: string) {
  return { error: { code: 400, status: 'INVALID_ARGUMENT', message } };
}

const field = (fieldPath: string, op: string, value: unknown) => ({
  fieldFilter: { field: { fieldPath }, op, value },
});
const and = (...filters: unknown[]) => ({ compositeFilter: { op: 'AND', filters } });
const order = (fieldPath: string) => ({ field: { fieldPath } });

describe('one commit that touches a document twice', () => {
  it("refuses a field name longer than 1,500 bytes (Firestore docs, Usage and limits: field name at most 1,500 bytes; words of Google's emulator)", async () => {
    const long = 'k'.repeat(1501);
    expect((await commit([set('long/x', { [long]: int(1) })])).json).toEqual(
      invalid('The property.name is longer than 1500 bytes.'),
    );
    expect((await commit([set('long/x', { [long.slice(1)]: int(1) })])).status).toBe(200);
  });

  it("refuses REST bodies with unknown members or two members of a oneof (proto3 JSON; Google's emulator: 'Payload isn't valid for request.')", async () => {
    const bad = invalid("Payload isn't valid for request.");
    expect((await commit([{ ...set('strict/x'), bogus: true }])).json).toEqual(bad);
    const two = { fieldPath: 'n', increment: int(1), maximum: int(1) };
    expect((await commit([{ ...set('strict/x'), updateTransforms: [two] }])).json).toEqual(bad);
    const begin = (options: unknown) =>
      rest(`${docsUrl(h)}:beginTransaction`, { options }, OWNER).then((r) => r.json);
    expect(await begin({ readOnly: {}, readWrite: {} })).toEqual(bad);
    expect(await begin({ readWrite: { retryTransaction: 'x' } })).toEqual(bad);
    expect(await begin('x')).toEqual(bad);
    expect(
      (
        await query({
          from: [{ collectionId: 'strict' }],
          orderBy: [{ field: { fieldPath: 'a' }, direction: 'SIDEWAYS' }],
        })
      ).json,
    ).toEqual(bad);
    expect((await commit([set('strict/x')])).status).toBe(200);
  });

  it("refuses a negative pageSize on a GET list (Google's emulator: 'Page size must be nonnegative.')", async () => {
    const r = await fetch(`${docsUrl(h)}/long?pageSize=-1`, { headers: OWNER });
    expect(r.status).toBe(400);
    expect(await r.json()).toEqual(invalid('Page size must be nonnegative.'));
    expect((await fetch(`${docsUrl(h)}/long?pageSize=1`, { headers: OWNER })).status).toBe(200);
  });

  it("rejects a write that needs the document right after its delete (Google's emulator: 'Cannot delete then update an entity in the same request.')", async () => {
    await commit([set('twice/x', { n: int(1) })]);
    const exists = { currentDocument: { exists: true } };
    const r1 = await commit([{ delete: `${ROOT}/twice/x` }, set('twice/x', { n: int(2) }, exists)]);
    expect(r1).toMatchObject({
      status: 400,
      json: invalid('Cannot delete then update an entity in the same request.'),
    });
    const r2 = await commit([
      { delete: `${ROOT}/twice/x` },
      set('twice/x', { n: int(2) }, { currentDocument: { updateTime: '2020-01-01T00:00:00Z' } }),
    ]);
    expect(r2).toMatchObject({
      status: 400,
      json: invalid('Cannot delete then update an entity in the same request.'),
    });
    const r3 = await commit([{ delete: `${ROOT}/twice/x` }, { delete: `${ROOT}/twice/x`, ...exists }]);
    expect(r3).toMatchObject({
      status: 400,
      json: invalid('Cannot delete then delete an entity in the same request.'),
    });
    // Nothing was applied.
    expect(
      (await rest(`${docsUrl(h)}:batchGet`, { documents: [`${ROOT}/twice/x`] }, OWNER)).json,
    ).toMatchObject([{ found: { fields: { n: int(1) } } }]);
    // A set, a create or a plain delete after a delete is fine, and so is an update after set.
    expect((await commit([{ delete: `${ROOT}/twice/x` }, set('twice/x', { n: int(3) })])).status).toBe(200);
    expect(
      (
        await commit([
          { delete: `${ROOT}/twice/x` },
          set('twice/x', {}, { currentDocument: { exists: false } }),
        ])
      ).status,
    ).toBe(200);
    expect((await commit([{ delete: `${ROOT}/twice/x` }, { delete: `${ROOT}/twice/x` }])).status).toBe(200);
    expect(
      (await commit([{ delete: `${ROOT}/twice/x` }, set('twice/x'), set('twice/x', { n: int(4) }, exists)]))
        .status,
    ).toBe(200);
  });

  it("rejects a write that needs the document absent right after a write that left it (Google's emulator: 'Cannot upsert then insert an entity in the same request.')", async () => {
    const create = { currentDocument: { exists: false } };
    const cases: [Json[], string][] = [
      [
        [set('twice/i'), set('twice/i', {}, create)],
        'Cannot upsert then insert an entity in the same request.',
      ],
      [
        [set('twice/i', {}, { currentDocument: { exists: true } }), set('twice/i', {}, create)],
        'Cannot update then insert an entity in the same request.',
      ],
      [
        [set('twice/i', {}, create), set('twice/i', {}, create)],
        'Cannot insert then insert an entity in the same request.',
      ],
      [
        [set('twice/i'), { delete: `${ROOT}/twice/i`, ...create }],
        'Cannot upsert then delete an entity in the same request.',
      ],
    ];
    for (const [writes, message] of cases)
      expect(await commit(writes)).toMatchObject({ json: invalid(message) });
    expect(
      (await commit([set('twice/i'), { delete: `${ROOT}/twice/i`, currentDocument: { exists: true } }]))
        .status,
    ).toBe(200);
  });

  it("rejects a verify beside another write of the document, or without a precondition (Google's emulator's messages)", async () => {
    await commit([set('twice/v', { n: int(1) })]);
    const verify = { verify: `${ROOT}/twice/v`, currentDocument: { exists: true } };
    expect(await commit([set('twice/v'), verify])).toMatchObject({
      json: invalid('the same document cannot be written and then verified in a single request'),
    });
    expect(await commit([verify, set('twice/v')])).toMatchObject({
      json: invalid('the same document cannot be verified and then written in a single request'),
    });
    expect(await commit([verify, verify])).toMatchObject({
      json: invalid('the same document cannot be verified more than once in a single request'),
    });
    expect(await commit([{ verify: `${ROOT}/twice/v` }])).toMatchObject({
      json: invalid('a verify must contain a precondition'),
    });
    expect((await commit([verify])).status).toBe(200);
  });
});

describe('REST bodies read as proto3 JSON from the descriptors', () => {
  const bad = invalid("Payload isn't valid for request.");
  const post = (verb: string, body: unknown) =>
    rest(`${docsUrl(h)}:${verb}`, body, OWNER).then((r) => r.json);
  const q = (extra: Json = {}, body: Json = {}) =>
    post('runQuery', { structuredQuery: { from: [{ collectionId: 'json' }], ...extra }, ...body });

  it("refuses an unknown member at any depth of any request (Google's emulator (gcloud 528): 'Payload isn't valid for request.')", async () => {
    expect(await post('commit', { writes: [], foo: 1 })).toEqual(bad);
    expect(
      await post('commit', { writes: [set('json/a', {}, { update: { name: `${ROOT}/json/a`, x: 1 } })] }),
    ).toEqual(bad);
    expect(
      await post('commit', { writes: [set('json/a', { v: { arrayValue: { values: [], x: 1 } } })] }),
    ).toEqual(bad);
    expect(
      await post('commit', { writes: [set('json/a', { v: { geoPointValue: { latitude: 1, x: 1 } } })] }),
    ).toEqual(bad);
    expect(
      await post('commit', { writes: [set('json/a', {}, { updateMask: { fieldPaths: [], x: 1 } })] }),
    ).toEqual(bad);
    expect(
      await post('batchGet', { documents: [`${ROOT}/json/a`], mask: { fieldPaths: ['a'], x: 1 } }),
    ).toEqual(bad);
    expect(await q({ x: 1 })).toEqual(bad);
    expect(await q({ from: [{ collectionId: 'json', x: 1 }] })).toEqual(bad);
    expect(await q({ startAt: { values: [], before: true, x: 1 } })).toEqual(bad);
    expect(await q({}, { x: 1 })).toEqual(bad);
    expect(
      await post('runAggregationQuery', {
        structuredAggregationQuery: {
          structuredQuery: { from: [{ collectionId: 'json' }] },
          aggregations: [{ count: { x: 1 } }],
        },
      }),
    ).toEqual(bad);
    expect(await post('beginTransaction', { options: { readWrite: {} }, x: 1 })).toEqual(bad);
    expect(await post('rollback', { transaction: 'abcd', x: 1 })).toEqual(bad);
    expect(await post('listCollectionIds', { x: 1 })).toEqual(bad);
    expect(await post('batchWrite', { writes: [], x: 1 })).toEqual(bad);
    expect(await post('partitionQuery', { x: 1 })).toEqual(bad);
    const patch = await fetch(`${docsUrl(h)}/json/p`, {
      method: 'PATCH',
      headers: { ...OWNER, 'content-type': 'application/json' },
      body: JSON.stringify({ fields: {}, x: 1 }),
    });
    expect(await patch.json()).toEqual(bad);
  });

  it("refuses two members of a oneof, a null one after the other included, and wrong JSON types (Google's emulator (gcloud 528): 'Payload isn't valid for request.')", async () => {
    expect(await post('commit', { writes: [set('json/a', {}, { delete: `${ROOT}/json/a` })] })).toEqual(bad);
    expect(await post('commit', { writes: [set('json/a', {}, { delete: null })] })).toEqual(bad);
    expect(await post('commit', { writes: [{ delete: null, ...set('json/a') }] })).not.toEqual(bad);
    expect(
      await post('commit', {
        writes: [
          set('json/a', {}, { currentDocument: { exists: true, updateTime: '2020-01-01T00:00:00Z' } }),
        ],
      }),
    ).toEqual(bad);
    expect(
      await post('commit', { writes: [set('json/a', { v: { integerValue: '1', stringValue: null } })] }),
    ).toEqual(bad);
    expect(
      await q({
        where: { ...field('a', 'EQUAL', int(1)), unaryFilter: { op: 'IS_NULL', field: { fieldPath: 'a' } } },
      }),
    ).toEqual(bad);
    expect(await q({ limit: { value: 1 } })).toEqual(bad);
    expect(await q({ limit: 1.5 })).toEqual(bad);
    expect(await q({ from: { collectionId: 'json' } })).toEqual(bad);
    expect(await q({}, { readTime: 1 })).toEqual(bad);
    expect(await post('commit', { writes: [], transaction: 'a b' })).toEqual(bad);
    expect(await post('commit', { writes: [set('json/a', { v: { booleanValue: 1 } })] })).toEqual(bad);
    expect(await post('commit', { writes: [set('json/a', { v: int(1), w: null })] })).toEqual(bad);
    expect(await post('listCollectionIds', { pageSize: 'x' })).toEqual(bad);
    expect(await post('commit', null)).toEqual(bad);
    expect(await post('commit', [])).toEqual(bad);
  });

  it("reads members by proto names too, null as unset, and scalars as protobuf's JSON reader does (Google's emulator (gcloud 528))", async () => {
    const ok = {
      writes: [set('json/b', { s: { stringValue: 1 }, t: { booleanValue: 'true' } })],
      transaction: null,
    };
    expect(Object.keys((await post('commit', ok)) as Json)).toContain('commitTime');
    const got = (
      await rest(`${docsUrl(h)}:batchGet`, { documents: [`${ROOT}/json/b`], read_time: null }, OWNER)
    ).json as { found?: { fields: Json } }[];
    expect(got[0]?.found?.fields).toEqual({ s: { stringValue: '1' }, t: { booleanValue: true } });
    const masked = await post('commit', {
      writes: [
        set('json/b', {}, { update_mask: { field_paths: ['s'] }, current_document: { exists: 'true' } }),
      ],
    });
    expect(Object.keys(masked as Json)).toContain('commitTime');
    expect(await q({ limit: '1', offset: 0.0, where: null, select: { fields: null } })).not.toHaveProperty(
      'error',
    );
    expect(
      ((await q({ orderBy: [{ field: { fieldPath: 'a' }, direction: 9 }] })) as Json)['error'],
    ).toMatchObject({ status: 'INVALID_ARGUMENT', message: 'Unrecognized ordering.' });
  });
});

describe('write results', () => {
  it("keeps the updateTime of a write that changes nothing, even after other writes in its commit (Google's emulator; the SDK's MutationResult: no-op writes keep the updateTime)", async () => {
    const first = await commit([set('noop/x', { n: int(1) })]);
    const t0 = (first.json as { commitTime: string }).commitTime;
    const same = await commit([set('noop/x', { n: int(1) })]);
    expect(same.json).toMatchObject({ writeResults: [{ updateTime: t0 }] });
    expect((same.json as { commitTime: string }).commitTime).not.toBe(t0);
    const roundTrip = await commit([set('noop/x', { n: int(2) }), set('noop/x', { n: int(1) })]);
    expect(roundTrip.json).toMatchObject({ writeResults: [{ updateTime: t0 }, { updateTime: t0 }] });
    const got = await rest(`${docsUrl(h)}:batchGet`, { documents: [`${ROOT}/noop/x`] }, OWNER);
    expect(got.json).toMatchObject([{ found: { updateTime: t0 } }]);
    // 1.0 is not 1: the type changed, so the document did.
    const dbl = await commit([set('noop/x', { n: { doubleValue: 1 } })]);
    expect((dbl.json as { writeResults: { updateTime: string }[] }).writeResults[0]!.updateTime).not.toBe(t0);
  });

  it("gives every write of a document the updateTime the commit leaves it with, none if deleted (Google's emulator)", async () => {
    const r = await commit([set('noop/gone', { n: int(1) }), { delete: `${ROOT}/noop/gone` }]);
    expect(r.status).toBe(200);
    for (const w of (r.json as { writeResults: Json[] }).writeResults)
      expect(w).not.toHaveProperty('updateTime');
    const back = await commit([{ delete: `${ROOT}/noop/gone` }, set('noop/gone', { n: int(2) })]);
    const t = (back.json as { commitTime: string }).commitTime;
    expect(back.json).toMatchObject({ writeResults: [{ updateTime: t }, { updateTime: t }] });
  });

  it("gives a delete no updateTime (write.proto WriteResult.update_time: 'Not set after a delete.'; Google's emulator)", async () => {
    await commit([set('noop/d', { n: int(1) })]);
    const r = await commit([{ delete: `${ROOT}/noop/d` }]);
    expect(r.status).toBe(200);
    expect((r.json as { writeResults: Json[] }).writeResults[0]).not.toHaveProperty('updateTime');
  });
});

describe('reads and writes named twice', () => {
  it("answers a document named twice in one batchGet once (Google's emulator)", async () => {
    await commit([set('dup/x', { n: int(1) })]);
    const r = await rest(
      `${docsUrl(h)}:batchGet`,
      { documents: [`${ROOT}/dup/x`, `${ROOT}/dup/y`, `${ROOT}/dup/x`] },
      OWNER,
    );
    expect((r.json as Json[]).map((x) => (x['found'] ? 'found' : 'missing'))).toEqual(['found', 'missing']);
  });

  it("refuses a delete with transforms in Google's emulator's words", async () => {
    const r = await commit([
      { delete: `${ROOT}/dup/x`, updateTransforms: [{ fieldPath: 'n', increment: int(1) }] },
    ]);
    expect(r).toMatchObject({ json: invalid('a delete must not specify a update transform.') });
  });
});

describe('transactions', () => {
  const begin = async (options: Json) =>
    ((await rest(`${docsUrl(h)}:beginTransaction`, { options }, OWNER)).json as { transaction: string })
      .transaction;
  const get = (transaction: string) =>
    rest(`${docsUrl(h)}:batchGet`, { documents: [`${ROOT}/tx/a`], transaction }, OWNER);

  it("a read-only transaction reads one snapshot, as of its begin, and commits without checking its reads (Google's emulator)", async () => {
    await commit([set('tx/a', { n: int(1) })]);
    const t = await begin({ readOnly: {} });
    await commit([set('tx/a', { n: int(2) })]);
    const r = await get(t);
    expect((r.json as { found: { fields: Json } }[])[0]!.found.fields).toEqual({ n: int(1) });
    const done = await rest(`${docsUrl(h)}:commit`, { transaction: t }, OWNER);
    expect(done.status).toBe(200);
  });

  it("refuses writes in a read-only transaction, and unknown or malformed ids, in Google's emulator's words", async () => {
    const t = await begin({ readOnly: {} });
    const w = await rest(`${docsUrl(h)}:commit`, { transaction: t, writes: [set('tx/b')] }, OWNER);
    expect(w.json).toMatchObject(invalid('Cannot modify entities in a read-only transaction.'));
    expect((await get('EQIAAAAAAAAA')).json).toMatchObject(invalid('Transaction is invalid or closed.'));
    expect((await get('bm90LWEtdHJhbnNhY3Rpb24=')).json).toMatchObject(invalid('Invalid transaction.'));
    expect((await get('!!')).json).toMatchObject(invalid("Payload isn't valid for request."));
  });

  it("rolling back a transaction that already ended answers 200 (Google's emulator)", async () => {
    const t = await begin({ readWrite: {} });
    for (let i = 0; i < 2; i++) {
      const r = await rest(`${docsUrl(h)}:rollback`, { transaction: t }, OWNER);
      expect(r.status).toBe(200);
    }
    expect((await get(t)).json).toMatchObject(invalid('Transaction is invalid or closed.'));
  });
});

describe('listDocuments', () => {
  it("orders numeric __id<n>__ ids first also with showMissing (Google's emulator, found by npm run conformance seed 18 case 23)", async () => {
    await commit([set('lst/B', {}), set('lst/__id-1__', {}), set('lst/a/sub/x', {})]);
    const r = await fetch(`${docsUrl(h)}/lst?showMissing=true`, { headers: OWNER });
    const names = ((await r.json()) as { documents: { name: string }[] }).documents.map((d) => d.name);
    expect(names).toEqual([`${ROOT}/lst/__id-1__`, `${ROOT}/lst/B`, `${ROOT}/lst/a`]);
  });
});

describe("found by the harness and settled on Google's emulator or production (issue 18)", () => {
  const failed = (message: string) => ({ error: { code: 400, status: 'FAILED_PRECONDITION', message } });
  const key = (dir: string) => ({ field: { fieldPath: '__name__' }, direction: dir });
  const list = async (query: string) => {
    const r = await fetch(`${docsUrl(h)}/ord?${query}`, { headers: OWNER });
    const j = (await r.json()) as { documents?: { name: string }[]; error?: unknown };
    return j.error ? j : (j.documents ?? []).map((d) => d.name.slice(d.name.lastIndexOf('/') + 1));
  };

  it("refuses a descending key scan: first ordered by __name__ desc, filters on the key only (Google's emulator (gcloud 528): FAILED_PRECONDITION 'Firestore does not support descending key scans')", async () => {
    const scan = failed('Firestore does not support descending key scans');
    expect((await query({ from: [{ collectionId: 'ord' }], orderBy: [key('DESCENDING')] })).json).toEqual(
      scan,
    );
    expect(
      (
        await query({
          from: [{ collectionId: 'ord', allDescendants: true }],
          where: field('__name__', 'GREATER_THAN', ref('ord/a')),
          orderBy: [key('DESCENDING')],
          limit: 2,
        })
      ).json,
    ).toEqual(scan);
    expect((await list('orderBy=__name__%20desc')) as unknown).toEqual(scan);
    // A filter on another field narrows the scan: served.
    expect(
      (
        await query({
          from: [{ collectionId: 'ord' }],
          where: field('a', 'EQUAL', int(1)),
          orderBy: [key('DESCENDING')],
        })
      ).status,
    ).toBe(200);
  });

  it("answers no documents for a not-in list holding null, without checking where its field is ordered (Google's emulator (gcloud 528), seed 7 case 176)", async () => {
    await commit([set('ord/n', { arr: int(1) })]);
    const r = await query({
      from: [{ collectionId: 'ord' }],
      where: field('arr', 'NOT_IN', arr(NULL)),
      orderBy: [key('DESCENDING')],
    });
    expect(r.status).toBe(200);
    expect((r.json as Json[]).filter((x) => x['document'])).toEqual([]);
  });

  it('answers no documents for a query of no collection (from: []) or of collection id "" (Google\'s emulator (gcloud 528))', async () => {
    await commit([set('ord/e', {})]);
    for (const from of [[], [{ collectionId: '' }], [{}]]) {
      const r = await query({ from });
      expect(r.status).toBe(200);
      expect((r.json as Json[]).filter((x) => x['document'])).toEqual([]);
    }
  });

  it("refuses reserved names (__x__) at any depth of a field path or a map (Firestore docs, Usage and limits: field names must not match __.*__; Google's emulator (gcloud 528)'s words)", async () => {
    const t = (fieldPath: string) =>
      set('ord/r', {}, { updateTransforms: [{ fieldPath, increment: int(1) }] });
    expect((await commit([t('a.__x__')])).json).toEqual(invalid('Invalid reserved name in field path __x__'));
    expect((await commit([t('__x__')])).json).toEqual(invalid('Invalid reserved name in field path __x__'));
    expect((await commit([set('ord/r', {}, { updateMask: { fieldPaths: ['a.b.__x__'] } })])).json).toEqual(
      invalid('Invalid reserved name in field path __x__'),
    );
    expect((await commit([set('ord/r', { a: { mapValue: { fields: { __x__: int(1) } } } })])).json).toEqual(
      invalid("field name '__x__' is reserved."),
    );
    // A vector value (the SDKs' map with __type__ "__vector__") stays writable.
    const vector = { __type__: { stringValue: '__vector__' }, value: arr({ doubleValue: 1 }) };
    expect((await commit([set('ord/r', { v: { mapValue: { fields: vector } } })])).status).toBe(200);
    expect(
      (await query({ from: [{ collectionId: 'ord' }], where: field('a.__x__', 'EQUAL', int(1)) })).json,
    ).toEqual(invalid('Invalid reserved name in field path __x__'));
    // Google's emulator writes a transform of __name__ as a field __key__; the name is reserved.
    expect((await commit([t('__name__')])).json).toEqual(
      invalid('Invalid reserved name in field path __name__'),
    );
  });

  it("orders a GET list by its orderBy parameter (REST reference, ListDocumentsRequest.order_by: 'priority desc, __name__ desc'; Google's emulator (gcloud 528)'s checks and words)", async () => {
    await commit([set('ord/x', { a: int(2) }), set('ord/y', { a: int(1), b: int(1) }), set('ord/z', {})]);
    expect(await list('orderBy=a')).toEqual(['y', 'x']);
    expect(await list('orderBy=a%20DESC,__name__%20desc')).toEqual(['x', 'y']);
    expect(await list('orderBy=%60a%60%20desc&pageSize=1')).toEqual(['x']);
    expect(await list('orderBy=a%20sideways')).toEqual(invalid('Invalid order by clause "a sideways".'));
    expect(await list('orderBy=a,a')).toEqual(invalid('order by clause cannot contain duplicate fields a'));
    expect(await list('orderBy=a&showMissing=true')).toEqual(
      invalid('cannot specify an order when show_missing is true'),
    );
  });

  it("refuses a page token it did not give (Google's emulator (gcloud 528): 400 'invalid page token' for 'abc')", async () => {
    expect(await list('pageToken=abc')).toEqual(invalid('invalid page token'));
    expect(await list('pageToken=bogus')).toEqual(invalid('invalid page token'));
    const first = (await (await fetch(`${docsUrl(h)}/ord?pageSize=1`, { headers: OWNER })).json()) as {
      nextPageToken: string;
    };
    expect(Array.isArray(await list(`pageSize=1&pageToken=${encodeURIComponent(first.nextPageToken)}`))).toBe(
      true,
    );
  });

  it("words bad requests as Google's emulator (gcloud 528) does (issue 18 harness, bad requests: no wording difference left)", async () => {
    const from = [{ collectionId: 'ord' }];
    expect((await rest(`${docsUrl(h)}:runQuery`, {}, OWNER)).json).toEqual(
      invalid('only structured queries are supported'),
    );
    expect((await query({ from, startAt: { values: [int(1)] } })).json).toEqual(
      invalid('Cursor has too many values.'),
    );
    expect(
      (await query({ from, orderBy: [order('__name__')], startAt: { values: [{ stringValue: 'x' }] } })).json,
    ).toEqual(invalid('Cursor __key__ value is not a document reference.'));
    expect((await query({ from, limit: -1 })).json).toEqual(invalid('limit is negative'));
    expect((await commit([{ update: { name: 'c/a', fields: {} } }])).json).toEqual(
      invalid('Document name "c/a" lacks "projects" at index 0.'),
    );
    expect((await commit([set('ord/w', { g: { geoPointValue: { latitude: 100 } } })])).json).toEqual(
      invalid("Geo point latitude '100.0' outside permitted range -90.0 to 90.0."),
    );
    expect(
      (
        await commit([
          set('ord/w', {}, { updateTransforms: [{ fieldPath: 'n', increment: { stringValue: 'x' } }] }),
        ])
      ).json,
    ).toEqual(invalid('Input must be int64 or double.'));
    expect((await commit([{ currentDocument: { exists: true } }])).json).toEqual(
      invalid('empty write operation'),
    );
    expect((await rest(`${docsUrl(h)}:commit`, '{bad json', OWNER)).json).toEqual(
      invalid("Payload isn't valid for request."),
    );
  });

  it("refuses a write to another project's document in production's words (apache/beam#29174, googleapis/nodejs-firestore#1901: 'The request was for database … but was attempting to access database …')", async () => {
    const other = { update: { name: 'projects/other/databases/(default)/documents/c/a', fields: {} } };
    expect((await commit([other])).json).toEqual(
      invalid(
        "The request was for database 'projects/demo-parity/databases/(default)' but was attempting to access database 'projects/other/databases/(default)'",
      ),
    );
  });
});

describe('bad documents and names', () => {
  it("refuses them in Google's emulator's words", async () => {
    const cases: [Json, string][] = [
      [set('bad/a', { __bad__: NULL }), 'field name __bad__ is reserved'],
      [set('bad/a', { a: arr(arr()) }), 'Cannot convert an array value in an array value.'],
      [set('bad'), `Document name "${ROOT}/bad" lacks "/" at index ${ROOT.length + 4}.`],
      [set('bad/a/b'), `Document name "${ROOT}/bad/a/b" lacks "/" at index ${ROOT.length + 8}.`],
      [set('bad//d'), `Document name "${ROOT}/bad//d" lacks a resource id at index ${ROOT.length + 5}.`],
    ];
    for (const [write, message] of cases)
      expect(await commit([write])).toMatchObject({ json: invalid(message) });
  });
});

describe('field paths', () => {
  it("accepts simple or backquoted segments only, with Google's emulator's messages", async () => {
    const mask = (fp: string) => commit([set('paths/x', {}, { updateMask: { fieldPaths: [fp] } })]);
    const rule =
      'Unquoted property paths must match regex ([a-zA-Z_][a-zA-Z_0-9]*), and quoted property paths must match regex (`(?:[^`\\\\]|(?:\\\\.))+`)';
    for (const fp of ['a..b', '`a', 'a.', 'a b', 'a-b', 'é', '`a`b']) {
      expect(await mask(fp)).toMatchObject({ json: invalid(`Invalid property path "${fp}". ${rule}`) });
    }
    expect(await mask('')).toMatchObject({ json: invalid('Invalid empty property path string.') });
    for (const fp of ['a.`b c`', '`a\\`b`', '_x1.y']) expect((await mask(fp)).status).toBe(200);
  });
});

describe('numeric document ids', () => {
  it("sorts __id<n>__ ids before all others, by their 64-bit integer (Google's emulator's order)", async () => {
    const list = [
      'A',
      'a',
      '7',
      '12',
      '__id7__',
      '__id12__',
      '__id-2__',
      '__id9223372036854775807__',
      '__id-9223372036854775808__',
      '__id',
      '__id1_',
    ];
    expect((await commit(list.map((id) => set(`num/${id}`, { a: int(1) })))).status).toBe(200);
    const byName = { from: [{ collectionId: 'num' }], orderBy: [order('__name__')] };
    const expected = [
      '__id-9223372036854775808__',
      '__id-2__',
      '__id7__',
      '__id12__',
      '__id9223372036854775807__',
      '12',
      '7',
      'A',
      '__id',
      '__id1_',
      'a',
    ];
    expect(await ids(byName)).toEqual(expected);
    expect(await ids({ from: [{ collectionId: 'num' }] })).toEqual(expected);
    expect(
      // With a filter on another field: the key alone descending is a scan Google's emulator refuses.
      await ids({
        ...byName,
        where: field('a', 'EQUAL', int(1)),
        orderBy: [{ field: { fieldPath: '__name__' }, direction: 'DESCENDING' }],
      }),
    ).toEqual([...expected].reverse());
    expect(await ids({ ...byName, where: field('__name__', 'GREATER_THAN', ref('num/__id7__')) })).toEqual(
      expected.slice(3),
    );
    expect(await ids({ ...byName, startAt: { values: [ref('num/__id12__')], before: false } })).toEqual(
      expected.slice(4),
    );
  });

  it("accepts only canonical non-zero 64-bit numeric ids (Google's emulator's messages)", async () => {
    for (const id of ['__id0__', '__id007__', '__id-0__', '__idabc__', '__id 1__', '_____']) {
      expect(await commit([set(`num/${id}`)])).toMatchObject({
        json: invalid(`Resource id "${id}" is invalid because it is reserved.`),
      });
    }
    expect(await commit([set('num/__id9223372036854775808__')])).toMatchObject({
      json: invalid('Resource id "__id9223372036854775808__" is invalid because it is not a 64 bit integer.'),
    });
    expect(await commit([set('__id5__/d')])).toMatchObject({
      json: invalid('Collection id "__id5__" is invalid because it is reserved.'),
    });
    for (const id of ['____', '___']) expect((await commit([set(`num/${id}`)])).status).toBe(200);
  });
});

describe('null in disjunctions', () => {
  it("never matches null with in or array-contains-any, even when the list holds null (Google's emulator)", async () => {
    await commit([
      set('nul/n', { z: NULL, arr: arr(NULL) }),
      set('nul/one', { z: int(1), arr: arr(int(1), NULL) }),
      set('nul/nan', { z: NAN, arr: arr(NAN) }),
    ]);
    const from = [{ collectionId: 'nul' }];
    expect(await ids({ from, where: field('z', 'IN', arr(NULL)) })).toEqual([]);
    expect(await ids({ from, where: field('z', 'IN', arr(NULL, int(1))) })).toEqual(['one']);
    expect(await ids({ from, where: field('arr', 'ARRAY_CONTAINS_ANY', arr(NULL)) })).toEqual([]);
    expect(await ids({ from, where: field('arr', 'ARRAY_CONTAINS_ANY', arr(NULL, int(1))) })).toEqual([
      'one',
    ]);
    expect(await ids({ from, where: { unaryFilter: { field: { fieldPath: 'z' }, op: 'IS_NULL' } } })).toEqual(
      ['n'],
    );
  });
});

describe('query validation', () => {
  const from = [{ collectionId: 'v' }];
  const keyLast = invalid('order by clause cannot contain more fields after the key');
  const keyEq = invalid(
    'Equality on key is not allowed if there are other inequality fields and key does not appear in inequalities.',
  );

  it("rejects an orderBy on the key before other order fields, explicit or implied by inequalities (Google's emulator's message)", async () => {
    expect(
      await query({ from, where: field('key', 'NOT_EQUAL', int(42)), orderBy: [order('__name__')] }),
    ).toMatchObject({ json: keyLast });
    expect(
      await query({
        from,
        where: and(field('a', 'GREATER_THAN', int(1)), field('b', 'LESS_THAN', int(1))),
        orderBy: [order('__name__')],
      }),
    ).toMatchObject({ json: keyLast });
    expect(await query({ from, orderBy: [order('__name__'), order('x')] })).toMatchObject({ json: keyLast });
    expect(await query({ from, orderBy: [order('a'), order('a')] })).toMatchObject({
      json: invalid('order by clause cannot contain duplicate fields a'),
    });
    // The key last, or an inequality on the key itself, is fine.
    const ok = [
      { from, where: field('__name__', 'GREATER_THAN', ref('v/a')), orderBy: [order('__name__')] },
      { from, where: field('key', 'GREATER_THAN', int(1)), orderBy: [order('key'), order('__name__')] },
    ];
    for (const q of ok) expect((await query(q)).status).toBe(200);
  });

  it("allows one negation per query, and not-in never beside in, array-contains-any or OR (Google's emulator's messages)", async () => {
    const isNotNull = { unaryFilter: { field: { fieldPath: 'b' }, op: 'IS_NOT_NULL' } };
    expect(await query({ from, where: and(field('a', 'NOT_EQUAL', int(1)), isNotNull) })).toMatchObject({
      json: invalid(
        "Only a single 'NOT_EQUAL', 'NOT_IN', 'IS_NOT_NAN', or 'IS_NOT_NULL' filter allowed per query.",
      ),
    });
    const notIn = field('a', 'NOT_IN', arr(int(1)));
    const message = invalid(
      "'NOT_IN' cannot be used in the same query with 'IN', 'ARRAY_CONTAINS_ANY' or 'OR'.",
    );
    expect(await query({ from, where: and(notIn, field('b', 'IN', arr(int(1)))) })).toMatchObject({
      json: message,
    });
    expect(
      await query({
        from,
        where: { compositeFilter: { op: 'OR', filters: [notIn, field('b', 'EQUAL', int(1))] } },
      }),
    ).toMatchObject({ json: message });
    expect((await query({ from, where: and(notIn, field('b', 'LESS_THAN', int(1))) })).status).toBe(200);
  });

  it("allows one array-contains or array-contains-any per disjunction (Firestore query limitations; Google's emulator's message)", async () => {
    const ac = field('arr', 'ARRAY_CONTAINS', int(1));
    const aca = field('arr', 'ARRAY_CONTAINS_ANY', arr(int(2)));
    const message = invalid("A maximum of 1 'ARRAY_CONTAINS' filter is allowed per disjunction.");
    expect(await query({ from, where: and(ac, aca) })).toMatchObject({ json: message });
    expect(await query({ from, where: and(ac, field('arr', 'ARRAY_CONTAINS', int(3))) })).toMatchObject({
      json: message,
    });
    expect((await query({ from, where: { compositeFilter: { op: 'OR', filters: [ac, aca] } } })).status).toBe(
      200,
    );
    // The negation rule is checked first.
    const two = and(field('a', 'NOT_EQUAL', int(3)), field('b', 'NOT_EQUAL', int(3)), ac, aca);
    expect(await query({ from, where: two })).toMatchObject({
      json: invalid(
        "Only a single 'NOT_EQUAL', 'NOT_IN', 'IS_NOT_NAN', or 'IS_NOT_NULL' filter allowed per query.",
      ),
    });
  });

  it("orders by inequality fields before the key when the key has an inequality too (Google's emulator)", async () => {
    await commit([set('keyorder/__id12__', { c: { stringValue: 'a' } }), set('keyorder/zz', { c: int(1) })]);
    const where = {
      compositeFilter: {
        op: 'OR',
        filters: [field('__name__', 'GREATER_THAN', ref('keyorder/zz')), field('c', 'NOT_EQUAL', int(5))],
      },
    };
    expect(await ids({ from: [{ collectionId: 'keyorder' }], where })).toEqual(['zz', '__id12__']);
  });

  it("rejects key equality beside inequalities on other fields (Google's emulator's message)", async () => {
    const eq = field('__name__', 'EQUAL', ref('v/doc1'));
    expect(await query({ from, where: and(field('key', 'NOT_EQUAL', int(42)), eq) })).toMatchObject({
      json: keyEq,
    });
    expect(
      await query({
        from,
        where: and(field('key', 'NOT_EQUAL', int(42)), field('__name__', 'IN', arr(ref('v/doc1')))),
      }),
    ).toMatchObject({ json: keyEq });
    expect(
      await query({
        from,
        where: and({ unaryFilter: { field: { fieldPath: 'key' }, op: 'IS_NOT_NULL' } }, eq),
      }),
    ).toMatchObject({ json: keyEq });
    // Checked before the orderBy rule.
    expect(
      await query({ from, where: and(field('key', 'NOT_EQUAL', int(42)), eq), orderBy: [order('__name__')] }),
    ).toMatchObject({ json: keyEq });
    const ok = [
      { from, where: and(field('key', 'EQUAL', int(42)), eq) },
      {
        from,
        where: and(field('key', 'NOT_EQUAL', int(42)), eq, field('__name__', 'GREATER_THAN', ref('v/a'))),
      },
    ];
    for (const q of ok) expect((await query(q)).status).toBe(200);
  });

  it("rejects a reserved collection id in a query's from or parent (Google's emulator: 'Collection id \"__badpath__\" is invalid because it is reserved.')", async () => {
    const msg = invalid('Collection id "__badpath__" is invalid because it is reserved.');
    expect(await query({ from: [{ collectionId: '__badpath__' }] })).toMatchObject({
      status: 400,
      json: msg,
    });
    expect(await query({ from: [{ collectionId: '__badpath__', allDescendants: true }] })).toMatchObject({
      json: msg,
    });
    expect(
      await aggregate({ from: [{ collectionId: '__badpath__' }] }, [{ alias: 'c', count: {} }]),
    ).toMatchObject({
      json: msg,
    });
    expect(await query({ from: [{ collectionId: 'c' }] }, '/__badpath__/d')).toMatchObject({ json: msg });
    expect((await query({ from: [{ collectionId: '__' }] })).status).toBe(200);
  });
});

describe('aggregations', () => {
  it("counts only documents that have every sum/avg field, of any type (Google's emulator: count 2, sum 1, avg 5.5)", async () => {
    await commit([
      set('agg/1', { a: int(1), b: int(10) }),
      set('agg/2', { a: int(2) }),
      set('agg/3', { b: int(30) }),
      set('agg/4', { c: int(1) }),
      set('agg/5', { a: { stringValue: 'x' }, b: int(1) }),
    ]);
    const from = { from: [{ collectionId: 'agg' }] };
    const sum = (f: string, alias: string) => ({ alias, sum: { field: { fieldPath: f } } });
    const avg = (f: string, alias: string) => ({ alias, avg: { field: { fieldPath: f } } });
    const result = async (aggs: Json[]) =>
      ((await aggregate(from, aggs)).json as { result: { aggregateFields: Json } }[])[0]!.result
        .aggregateFields;
    expect(await result([{ alias: 'c', count: {} }, sum('a', 's'), avg('b', 'v')])).toEqual({
      c: int(2),
      s: int(1),
      v: { doubleValue: 5.5 },
    });
    expect(await result([{ alias: 'c', count: {} }, sum('a', 's')])).toEqual({ c: int(3), s: int(3) });
    expect(await result([{ alias: 'c', count: {} }])).toEqual({ c: int(5) });
    expect(await result([{ alias: 'c', count: { upTo: 1 } }, sum('a', 's')])).toEqual({
      c: int(1),
      s: int(3),
    });
  });

  it("orders by the sum/avg fields after inequality fields, so a limit keeps the documents lowest in them (Google's emulator)", async () => {
    const rows: [string, number, number][] = [
      ['a', 5, 1],
      ['b', 1, 100],
      ['c', 3, 10],
      ['d', 2, 1000],
    ];
    await commit(rows.map(([id, a, b]) => set(`aggl/${id}`, { a: int(a), b: int(b) })));
    const from = [{ collectionId: 'aggl' }];
    const sum = (f: string, alias: string) => ({ alias, sum: { field: { fieldPath: f } } });
    const result = async (q: Json, aggs: Json[]) =>
      ((await aggregate({ from, ...q }, aggs)).json as { result: { aggregateFields: Json } }[])[0]!.result
        .aggregateFields;
    expect(await result({ limit: 2 }, [sum('a', 's')])).toEqual({ s: int(3) });
    // Several fields: in field-path order, whatever the order of the aggregations.
    expect(await result({ limit: 1 }, [sum('b', 's'), sum('a', 't')])).toEqual({ s: int(100), t: int(1) });
    expect(await result({ limit: 1, orderBy: [order('b')] }, [sum('a', 's')])).toEqual({ s: int(5) });
    expect(await result({ limit: 1, where: field('b', 'GREATER_THAN', int(1)) }, [sum('a', 's')])).toEqual({
      s: int(3),
    });
    expect(await aggregate({ from, orderBy: [order('__name__')] }, [sum('a', 's')])).toMatchObject({
      json: invalid(
        'This query requires an index that has fields [a] after __name__ and Firestore does not currently support such an index. Please try the query again with additional ordering on those fields.',
      ),
    });
  });

  it("rejects more than 5 aggregations with INVALID_ARGUMENT naming the maximum number of aggregations (production: invalid-argument, firebase/flutterfire#12193; Google's emulator answers 500 UNKNOWN, production wins)", async () => {
    const six = ['a', 'b', 'c', 'd', 'e', 'f'].map((alias) => ({ alias, count: {} }));
    const r = await aggregate({ from: [{ collectionId: 'agg' }] }, six);
    expect(r).toMatchObject({ status: 400, json: { error: { status: 'INVALID_ARGUMENT' } } });
    expect((r.json as { error: { message: string } }).error.message).toMatch(
      /maximum number of aggregations/,
    );
  });
});

describe('numeric transforms', () => {
  it("maximum and minimum with NaN on either side give NaN (write.proto; Google's emulator)", async () => {
    const name = `${ROOT}/nan/x`;
    for (const kind of ['maximum', 'minimum']) {
      for (const [current, operand] of [
        [NAN, int(5)],
        [int(5), NAN],
      ]) {
        await commit([set('nan/x', { n: current })]);
        const r = await commit([
          { transform: { document: name, fieldTransforms: [{ fieldPath: 'n', [kind]: operand }] } },
        ]);
        expect(r.json).toMatchObject({ writeResults: [{ transformResults: [NAN] }] });
        const got = await rest(`${docsUrl(h)}:batchGet`, { documents: [name] }, OWNER);
        expect(got.json).toMatchObject([{ found: { fields: { n: NAN } } }]);
      }
    }
    // Equal operands keep the stored value and its type (write.proto).
    await commit([set('nan/x', { n: int(3) })]);
    const r = await commit([
      { transform: { document: name, fieldTransforms: [{ fieldPath: 'n', maximum: { doubleValue: 3 } }] } },
    ]);
    expect(r.json).toMatchObject({ writeResults: [{ transformResults: [int(3)] }] });
  });
});
