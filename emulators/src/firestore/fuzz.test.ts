/**
 * Robustness: 10,000+ random and mutated REST requests (malformed JSON, wrong types, bad names,
 * odd values, oversized bodies); the emulator must answer each with a proper status and keep serving.
 */
import { Agent, request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FirestoreEmulatorHandle } from './index.js';
import { docsUrl, rest, startTestEmulator } from './test-support/clients.js';
import { VERBS as REST_VERBS } from './rest/router.js';
import { prng as rng } from '../test-support/prng.js';

let h: FirestoreEmulatorHandle;

beforeAll(async () => {
  h = await startTestEmulator({ projectId: 'demo-fuzz' });
});

afterAll(async () => {
  agent.destroy();
  await h.stop();
});

const ROOT = 'projects/demo-fuzz/databases/(default)/documents';
const VERBS = [...REST_VERBS];

function randomValue(r: () => number, depth = 0): unknown {
  const pick = Math.floor(r() * 16);
  switch (pick) {
    case 0:
      return { nullValue: r() < 0.5 ? null : 'NULL_VALUE' };
    case 1:
      return { booleanValue: r() < 0.8 ? r() < 0.5 : 'yes' };
    case 2:
      return { integerValue: r() < 0.8 ? String(Math.floor(r() * 1e6)) : '9'.repeat(25) };
    case 3:
      return { doubleValue: r() < 0.8 ? r() * 100 : ['NaN', 'Infinity', 'abc'][Math.floor(r() * 3)] };
    case 4:
      return { timestampValue: r() < 0.7 ? new Date(Math.floor(r() * 2e12)).toISOString() : 'yesterday' };
    case 5:
      return { stringValue: r() < 0.9 ? 'é\u0000𝄞'.repeat(Math.floor(r() * 4)) : 12 };
    case 6:
      return { bytesValue: r() < 0.7 ? 'AQID' : '***' };
    case 7:
      return { referenceValue: r() < 0.5 ? `${ROOT}/a/b` : 'not/a/ref' };
    case 8:
      return { geoPointValue: { latitude: r() * 200 - 100, longitude: r() * 400 - 200 } };
    case 9:
      return depth > 3
        ? {}
        : { arrayValue: { values: [randomValue(r, depth + 1), randomValue(r, depth + 1)] } };
    case 10:
      return depth > 3
        ? {}
        : { mapValue: { fields: { k: randomValue(r, depth + 1), '': randomValue(r, depth + 1) } } };
    case 11:
      return { stringValue: 'a', integerValue: '1' };
    case 12:
      return null;
    case 13:
      return [1, 2];
    case 14:
      return { unknownValue: 1 };
    default:
      return 'plain';
  }
}

function randomName(r: () => number): unknown {
  const options = [
    `${ROOT}/c/d${Math.floor(r() * 20)}`,
    `${ROOT}/c`,
    `${ROOT}/c/__bad__`,
    `${ROOT}/c/./x`,
    `${ROOT}//x`,
    'projects/other/databases/(default)/documents/c/d',
    'garbage',
    42,
    null,
    `${ROOT}/c/d/e/f`,
    `${ROOT}/${'x'.repeat(1600)}/y`,
  ];
  return options[Math.floor(r() * options.length)];
}

/** The members of each verb's request message among those randomBody makes. */
const MEMBERS: Record<string, string[]> = {
  commit: ['writes', 'transaction'],
  batchWrite: ['writes'],
  batchGet: ['documents', 'transaction'],
  runQuery: ['structuredQuery', 'transaction'],
  runAggregationQuery: ['structuredAggregationQuery', 'transaction'],
  rollback: ['transaction'],
};

function randomBody(r: () => number, verb: string): string {
  const kind = Math.floor(r() * 10);
  if (kind === 0) return '{"writes": [';
  if (kind === 1) return String.fromCharCode(...Array.from({ length: 20 }, () => Math.floor(r() * 256)));
  if (kind === 2) return JSON.stringify([1, 2, 3]);
  const write = () => {
    const w: Record<string, unknown> = {};
    const t = r();
    if (t < 0.5) w['update'] = { name: randomName(r), fields: { f: randomValue(r), g: randomValue(r) } };
    else if (t < 0.7) w['delete'] = randomName(r);
    else if (t < 0.8) w['verify'] = randomName(r);
    if (r() < 0.3)
      w['updateMask'] = {
        fieldPaths: ['f', 'a.`b`', '', '`unclosed'][Math.floor(r() * 4)] === '' ? [''] : ['f'],
      };
    if (r() < 0.3) w['updateTransforms'] = [{ fieldPath: 'n', increment: randomValue(r) }];
    if (r() < 0.2) w['currentDocument'] = { exists: r() < 0.5 ? true : 'maybe' };
    return w;
  };
  const query = () => ({
    from: r() < 0.9 ? [{ collectionId: r() < 0.9 ? 'c' : '', allDescendants: r() < 0.3 }] : 'c',
    where:
      r() < 0.5
        ? {
            fieldFilter: {
              field: { fieldPath: 'f' },
              op: ['EQUAL', 'IN', 'NOT_IN', 'BOGUS', 5, 'ARRAY_CONTAINS_ANY'][Math.floor(r() * 6)],
              value: randomValue(r),
            },
          }
        : r() < 0.5
          ? {
              compositeFilter: {
                op: r() < 0.5 ? 'OR' : 'AND',
                filters: [{ unaryFilter: { field: { fieldPath: 'f' }, op: 'IS_NULL' } }, {}],
              },
            }
          : undefined,
    orderBy: r() < 0.5 ? [{ field: { fieldPath: 'f' }, direction: r() < 0.5 ? 'DESCENDING' : 7 }] : undefined,
    limit: r() < 0.5 ? Math.floor(r() * 10) : r() < 0.5 ? -1 : 'ten',
    startAt: r() < 0.3 ? { values: [randomValue(r)], before: true } : undefined,
  });
  const body: Record<string, unknown> = {
    writes: Array.from({ length: Math.floor(r() * 3) }, write),
    documents: Array.from({ length: Math.floor(r() * 3) }, () => randomName(r)),
    structuredQuery: query(),
    structuredAggregationQuery: {
      structuredQuery: query(),
      aggregations: [{ alias: 'a', count: {} }, { sum: { field: { fieldPath: 'f' } } }],
    },
    transaction: r() < 0.2 ? 'bm90LWEtdHhu' : undefined,
  };
  // Mostly only the members the verb's message has (others make the payload invalid, as one in ten
  // bodies keeps them to check).
  if (r() < 0.9) for (const k of Object.keys(body)) if (!(MEMBERS[verb] ?? []).includes(k)) delete body[k];
  return JSON.stringify(body);
}

const agent = new Agent({ keepAlive: true, maxSockets: 32 });

function send(port: number, method: string, path: string, body: string, auth: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method,
        path,
        agent,
        headers: { authorization: auth, 'content-type': 'application/json' },
      },
      (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('fuzz', () => {
  it('survives 10,000 random requests and still serves correctly', { timeout: 60_000 }, async () => {
    const r = rng(20241121);
    const statuses = new Map<number, number>();
    const total = 10_000;
    const concurrency = 32;
    let next = 0;
    const auths = [
      'Bearer owner',
      '',
      'Bearer x.y',
      'Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiJ1In0.',
      'Basic zzz',
    ];
    const worker = async () => {
      while (next < total) {
        const i = next++;
        const verb = VERBS[Math.floor(r() * VERBS.length)]!;
        const paths = [
          `/v1/${ROOT}:${verb}`,
          `/v1/${ROOT}/c/d1:${verb}`,
          `/v1/${ROOT}/c%ZZ:${verb}`,
          `/v1/projects/demo-fuzz:${verb}`,
          `/v1/${ROOT}/c/d${i % 7}`,
          '/emulator/v1/projects/demo-fuzz:securityRules',
          '/nothing/here',
        ];
        const path = r() < 0.85 ? paths[0]! : paths[Math.floor(r() * paths.length)]!;
        const method = r() < 0.9 ? 'POST' : ['GET', 'PUT', 'DELETE', 'PATCH'][Math.floor(r() * 4)]!;
        const status = await send(
          h.port,
          method,
          path,
          randomBody(r, verb),
          auths[Math.floor(r() * auths.length)]!,
        );
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
      }
    };
    await Promise.all(Array.from({ length: concurrency }, worker));
    const count = [...statuses.values()].reduce((a, b) => a + b, 0);
    expect(count).toBe(total);
    expect(statuses.has(0)).toBe(false);
    // Internal errors would mean an unhandled case; everything must be a deliberate answer.
    expect(statuses.get(500) ?? 0).toBe(0);
    expect((statuses.get(400) ?? 0) > 1000).toBe(true);
    expect((statuses.get(200) ?? 0) > 100).toBe(true);

    // Oversized body: refused, server still up.
    const huge = await send(
      h.port,
      'POST',
      `/v1/${ROOT}:commit`,
      'x'.repeat(12 * 1024 * 1024),
      'Bearer owner',
    ).catch(() => 413);
    expect([400, 413]).toContain(huge);

    const name = `${ROOT}/after/fuzz`;
    const w = await rest(
      `${docsUrl(h)}:commit`,
      { writes: [{ update: { name, fields: { ok: { booleanValue: true } } } }] },
      { authorization: 'Bearer owner' },
    );
    expect(w.status).toBe(200);
    const g = await rest(`${docsUrl(h)}:batchGet`, { documents: [name] }, { authorization: 'Bearer owner' });
    expect(g.json).toEqual([
      expect.objectContaining({ found: expect.objectContaining({ fields: { ok: { booleanValue: true } } }) }),
    ]);
  });
});

describe('malformed protobuf over gRPC', () => {
  it('answers garbage messages with INVALID_ARGUMENT and keeps serving', async () => {
    const grpc = await import('@grpc/grpc-js');
    const client = new grpc.Client(`127.0.0.1:${h.port}`, grpc.credentials.createInsecure());
    const r = rng(7);
    const codes: number[] = [];
    for (let i = 0; i < 50; i++) {
      const bytes = Buffer.from(
        Array.from({ length: 1 + Math.floor(r() * 64) }, () => Math.floor(r() * 256)),
      );
      const code = await new Promise<number>((resolve) => {
        client.makeUnaryRequest(
          '/google.firestore.v1.Firestore/Commit',
          (b: Buffer) => b,
          (b: Buffer) => b,
          bytes,
          new grpc.Metadata(),
          (err) => resolve(err ? err.code : 0),
        );
      });
      codes.push(code);
    }
    client.close();
    // Random bytes occasionally decode as a valid (empty-ish) CommitRequest; the rest must be
    // rejected as invalid input - never INTERNAL or UNKNOWN.
    expect(codes.every((c) => c === 0 || c === 3)).toBe(true);
    expect(codes.filter((c) => c === 3).length).toBeGreaterThan(10);
    const ok = await rest(
      `${docsUrl(h)}:batchGet`,
      { documents: [`${ROOT}/after/fuzz`] },
      { authorization: 'Bearer owner' },
    );
    expect(ok.status).toBe(200);
  });
});
