/**
 * The WebChannel protocol over plain HTTP, as @firebase/webchannel-wrapper speaks it (requests
 * copied in shape from the browser SDK's traffic; answers compared with Google's emulator's, see
 * the test names).
 */
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FirestoreEmulatorHandle } from '../index.js';
import { adminClient, mockIdToken, startTestEmulator } from '../test-support/clients.js';
import { channelServerOf } from './channel.js';
import { unframe } from './framing.js';

const PROJECT = 'demo-wc-test';
const DB = `projects/${PROJECT}/databases/(default)`;
const RULES = `rules_version = '2';
service cloud.firestore {
  match /databases/{database}/documents {
    match /notes/{id} {
      allow read: if request.auth != null && resource.data.owner == request.auth.uid;
      allow write: if request.auth != null && request.resource.data.owner == request.auth.uid;
    }
    match /open/{id} { allow read, write: if true; }
    match /flood/{id} { allow read: if true; }
    match /fan/{id} { allow read: if true; }
    match /big/{id} { allow read: if true; }
  }
}`;

let h: FirestoreEmulatorHandle;

beforeAll(async () => {
  h = await startTestEmulator({ projectId: PROJECT, rules: RULES });
  await adminClient(h).doc('notes/alice1').set({ owner: 'alice', text: 'hi' });
});

afterAll(async () => {
  await h.stop();
});

type Rpc = 'Listen' | 'Write';

function channelUrl(rpc: Rpc, params: Record<string, string>): string {
  const q = new URLSearchParams({ VER: '8', database: DB, ...params });
  return `${h.url}/google.firestore.v1.Firestore/${rpc}/channel?${q}`;
}

function formBody(msgs: unknown[], ofs: number, headers?: Record<string, string>): string {
  const parts: string[] = [];
  if (headers) {
    const block = Object.entries(headers)
      .map(([k, v]) => `${k}:${v}\r\n`)
      .join('');
    parts.push(`headers=${encodeURIComponent(block)}`);
  }
  parts.push(`count=${msgs.length}`, `ofs=${ofs}`);
  msgs.forEach((m, i) => parts.push(`req${i}___data__=${encodeURIComponent(JSON.stringify(m))}`));
  return parts.join('&');
}

async function post(url: string, body: string, extra: Record<string, string> = {}) {
  const r = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...extra },
    body,
  });
  return { status: r.status, headers: r.headers, text: await r.text() };
}

async function open(rpc: Rpc, first: unknown[], token?: string): Promise<string> {
  const r = await post(
    channelUrl(rpc, { RID: '1000', CVER: '22', 'X-HTTP-Session-Id': 'gsessionid', zx: 'a', t: '1' }),
    formBody(first, 0, token ? { Authorization: `Bearer ${token}`, 'Content-Type': 'text/plain' } : {}),
  );
  expect(r.status).toBe(200);
  const [chunk] = unframe(r.text) as [[number, [string, string, string, number, number, number]][]];
  const created = chunk[0]!;
  expect(created[0]).toBe(0);
  expect(created[1][0]).toBe('c');
  return created[1][1];
}

/** One long poll (CI=1): the batch of [id, payload] the server answers with. */
async function poll(rpc: Rpc, sid: string, aid: number): Promise<[number, unknown][]> {
  const r = await fetch(
    channelUrl(rpc, { RID: 'rpc', SID: sid, AID: String(aid), CI: '1', TYPE: 'xmlhttp', zx: 'b', t: '1' }),
  );
  expect(r.status).toBe(200);
  const chunks = unframe(await r.text()) as [number, [unknown]][][];
  return chunks.flat().map(([id, p]) => [id, p[0]]);
}

/** Long polls until `until` holds for the payloads seen, acknowledging as the client does. */
async function collect(rpc: Rpc, sid: string, until: (p: unknown[]) => boolean, aid = 0) {
  const seen: unknown[] = [];
  let last = aid;
  for (let i = 0; i < 20 && !until(seen); i++) {
    for (const [id, p] of await poll(rpc, sid, last)) {
      last = id;
      if (p !== 'noop') seen.push(p);
    }
  }
  return { seen, last };
}

function forward(rpc: Rpc, sid: string, rid: number, aid: number, msgs: unknown[], ofs: number) {
  return post(
    channelUrl(rpc, { SID: sid, RID: String(rid), AID: String(aid), zx: 'c', t: '1' }),
    formBody(msgs, ofs),
  );
}

const types = (ps: unknown[]) =>
  ps.map((p) => {
    const r = p as Record<string, Record<string, unknown>>;
    const k = Object.keys(r)[0]!;
    return k === 'targetChange' ? `${k}:${String(r[k]!['targetChangeType'])}` : k;
  });

describe('WebChannel protocol', () => {
  it('creates a session with the "c" message, framed as <length>\\n<json> (Google\'s emulator: [[0,["c",SID,"",8,12,30000]]])', async () => {
    const r = await post(channelUrl('Write', { RID: '1', CVER: '22' }), formBody([{ database: DB }], 0));
    expect(r.headers.get('content-type')).toMatch(/^text\/plain/);
    const nl = r.text.indexOf('\n');
    expect(Number(r.text.slice(0, nl))).toBe(r.text.length - nl - 1);
    const json = JSON.parse(r.text.slice(nl + 1)) as unknown[][];
    expect(json[0]![0]).toBe(0);
    expect((json[0]![1] as unknown[]).slice(2)).toEqual(['', 8, 12, 30000]);
  });

  it('Listen: the init request carries the first addTarget; the back channel answers ADD, the document, CURRENT and a global snapshot, then live changes', async () => {
    const target = { documents: { documents: [`${DB}/documents/open/a`] }, targetId: 2 };
    const sid = await open('Listen', [{ database: DB, addTarget: target }]);
    const first = await collect('Listen', sid, (p) => p.length >= 3);
    expect(types(first.seen)).toEqual(['targetChange:ADD', 'targetChange:CURRENT', 'targetChange:NO_CHANGE']);
    await adminClient(h).doc('open/a').set({ n: 1 });
    const next = await collect('Listen', sid, (p) => p.length >= 2, first.last);
    expect(types(next.seen)).toEqual(['documentChange', 'targetChange:NO_CHANGE']);
    const change = next.seen[0] as { documentChange: { document: { fields: unknown } } };
    expect(change.documentChange.document.fields).toEqual({ n: { integerValue: '1' } });
  });

  it('resends what the client has not acknowledged (AID) and drops what it has', async () => {
    const target = { documents: { documents: [`${DB}/documents/open/r`] }, targetId: 4 };
    const sid = await open('Listen', [{ database: DB, addTarget: target }]);
    const a = await collect('Listen', sid, (p) => p.length >= 3);
    // The same AID again: the back channel was lost, so everything after it comes again.
    const again = await poll('Listen', sid, 0);
    expect(again.map(([id]) => id)).toEqual([1, 2, 3]);
    // Acknowledged up to the last: only new messages follow.
    await adminClient(h).doc('open/r').set({ n: 2 });
    const b = await collect('Listen', sid, (p) => p.length >= 1, a.last);
    expect(types(b.seen)[0]).toBe('documentChange');
  });

  it("Write: handshake, then a commit with streamToken answers commitTime and writeResults (Google's emulator: {streamId, streamToken} first)", async () => {
    const sid = await open('Write', [{ database: DB }]);
    const hs = await collect('Write', sid, (p) => p.length >= 1);
    const token = (hs.seen[0] as { streamToken: string }).streamToken;
    expect(typeof token).toBe('string');
    const fw = await forward(
      'Write',
      sid,
      1001,
      hs.last,
      [
        {
          streamToken: token,
          writes: [{ update: { name: `${DB}/documents/open/w`, fields: { x: { stringValue: 'y' } } } }],
        },
      ],
      1,
    );
    expect(fw.status).toBe(200);
    const [ack] = unframe(fw.text) as [number[]];
    expect(ack).toHaveLength(3);
    const res = await collect('Write', sid, (p) => p.length >= 1, hs.last);
    const wr = res.seen[0] as { commitTime: string; writeResults: { updateTime: string }[] };
    expect(wr.writeResults[0]!.updateTime).toBe(wr.commitTime);
    expect((await adminClient(h).doc('open/w').get()).get('x')).toBe('y');
  });

  it('a retried forward request does not apply its messages twice (message ids)', async () => {
    const sid = await open('Write', [{ database: DB }]);
    const hs = await collect('Write', sid, (p) => p.length >= 1);
    const write = {
      streamToken: (hs.seen[0] as { streamToken: string }).streamToken,
      writes: [
        {
          transform: {
            document: `${DB}/documents/open/inc`,
            fieldTransforms: [{ fieldPath: 'n', increment: { integerValue: '1' } }],
          },
        },
      ],
    };
    await forward('Write', sid, 1001, hs.last, [write], 1);
    await forward('Write', sid, 1001, hs.last, [write], 1);
    await collect('Write', sid, (p) => p.length >= 1, hs.last);
    expect((await adminClient(h).doc('open/inc').get()).get('n')).toBe(1);
  });

  it('a bad write ends the stream with {error:{status:"INVALID_ARGUMENT"}} (Google\'s emulator: same shape)', async () => {
    const sid = await open('Write', [{ database: DB }]);
    const hs = await collect('Write', sid, (p) => p.length >= 1);
    await forward(
      'Write',
      sid,
      1001,
      hs.last,
      [{ streamToken: 'x', writes: [{ update: { name: 'bad' } }] }],
      1,
    );
    const r = await collect('Write', sid, (p) => p.length >= 1, hs.last);
    expect(r.seen[0]).toMatchObject({ error: { status: 'INVALID_ARGUMENT', code: 400 } });
  });

  it('unknown session ids answer 400 "Unknown SID" on back and forward channels (Google\'s emulator: 400), so the SDK reconnects', async () => {
    const back = await fetch(
      channelUrl('Listen', { RID: 'rpc', SID: 'nope', AID: '0', CI: '1', TYPE: 'xmlhttp' }),
    );
    expect(back.status).toBe(400);
    expect((await back.text()).indexOf('Unknown SID')).toBeGreaterThan(0);
    const fw = await forward('Listen', 'nope', 5, 0, [{}], 1);
    expect(fw.status).toBe(400);
  });

  it('TYPE=terminate closes the session: later requests get Unknown SID and the count of live sessions goes back', async () => {
    const server = channelServerOf(h.core);
    const before = server.liveSessions;
    const sids = await Promise.all(Array.from({ length: 20 }, () => open('Write', [{ database: DB }])));
    expect(server.liveSessions).toBe(before + 20);
    for (const sid of sids) {
      const r = await fetch(channelUrl('Write', { SID: sid, RID: '9', TYPE: 'terminate' }), {
        method: 'POST',
      });
      expect(r.status).toBe(200);
    }
    expect(server.liveSessions).toBe(before);
    const again = await fetch(
      channelUrl('Write', { RID: 'rpc', SID: sids[0]!, AID: '0', CI: '1', TYPE: 'xmlhttp' }),
    );
    expect(again.status).toBe(400);
  });
});

describe('WebChannel auth and rules', () => {
  it('Authorization comes per channel from the init headers; a denied listen ends its target with REMOVE cause 7 (PERMISSION_DENIED)', async () => {
    const target = { documents: { documents: [`${DB}/documents/notes/alice1`] }, targetId: 6 };
    const alice = await open('Listen', [{ database: DB, addTarget: target }], mockIdToken({ sub: 'alice' }));
    const bob = await open('Listen', [{ database: DB, addTarget: target }], mockIdToken({ sub: 'bob' }));
    const a = await collect('Listen', alice, (p) => p.length >= 4);
    expect(types(a.seen)).toEqual([
      'targetChange:ADD',
      'documentChange',
      'targetChange:CURRENT',
      'targetChange:NO_CHANGE',
    ]);
    const b = await collect('Listen', bob, (p) => p.length >= 2);
    expect(b.seen[1]).toMatchObject({
      targetChange: { targetChangeType: 'REMOVE', targetIds: [6], cause: { code: 7 } },
    });
  });

  it("writes over the Write channel are checked against the rules with the channel's caller", async () => {
    const sid = await open('Write', [{ database: DB }], mockIdToken({ sub: 'bob' }));
    const hs = await collect('Write', sid, (p) => p.length >= 1);
    const token = (hs.seen[0] as { streamToken: string }).streamToken;
    await forward(
      'Write',
      sid,
      1001,
      hs.last,
      [
        {
          streamToken: token,
          writes: [
            { update: { name: `${DB}/documents/notes/x`, fields: { owner: { stringValue: 'alice' } } } },
          ],
        },
      ],
      1,
    );
    const r = await collect('Write', sid, (p) => p.length >= 1, hs.last);
    expect(r.seen[0]).toMatchObject({ error: { status: 'PERMISSION_DENIED' } });
  });

  it('a malformed Authorization ends the stream with UNAUTHENTICATED', async () => {
    const sid = await open('Listen', [{ database: DB }], 'not-a-jwt');
    const r = await collect('Listen', sid, (p) => p.length >= 1);
    expect(r.seen[0]).toMatchObject({ error: { status: 'UNAUTHENTICATED' } });
  });

  it('CORS: an admitted origin is echoed with Allow-Credentials on preflights and channel answers; a foreign one is refused', async () => {
    const origin = 'http://127.0.0.1:5173';
    const pre = await fetch(`${h.url}/v1/${DB}/documents:commit`, {
      method: 'OPTIONS',
      headers: {
        origin,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization,x-goog-api-client,x-firebase-gmpid',
      },
    });
    expect(pre.headers.get('access-control-allow-origin')).toBe(origin);
    expect(pre.headers.get('access-control-allow-credentials')).toBe('true');
    expect(pre.headers.get('access-control-allow-headers')).toContain('x-firebase-gmpid');
    const r = await post(channelUrl('Write', { RID: '1' }), formBody([{ database: DB }], 0), { origin });
    expect(r.headers.get('access-control-allow-credentials')).toBe('true');
    expect(r.headers.get('access-control-expose-headers')).toContain('x-http-session-id');
    const foreign = await post(channelUrl('Write', { RID: '1' }), formBody([{ database: DB }], 0), {
      origin: 'https://evil.example',
    });
    expect(foreign.status).toBe(403);
  });
});

describe('WebChannel bad input and limits', () => {
  it('malformed forward bodies answer 400; a message that is not JSON ends the stream with INVALID_ARGUMENT', async () => {
    expect((await post(channelUrl('Listen', { RID: '1' }), 'count=abc&ofs=0')).status).toBe(400);
    expect(
      (await post(channelUrl('Listen', { RID: '1' }), 'count=2&ofs=0&req0___data__=%7B%7D')).status,
    ).toBe(400);
    expect((await post(channelUrl('Listen', { RID: '1' }), 'garbage')).status).toBe(400);
    expect((await post(channelUrl('Listen', { RID: '1', VER: '7' }), formBody([], 0))).status).toBe(400);
    const sid = await open('Listen', []);
    await post(channelUrl('Listen', { SID: sid, RID: '2', AID: '0' }), 'count=1&ofs=0&req0___data__=%7Bnope');
    const r = await collect('Listen', sid, (p) => p.length >= 1);
    expect(r.seen[0]).toMatchObject({ error: { status: 'INVALID_ARGUMENT' } });
    const badAid = await fetch(
      channelUrl('Listen', { RID: 'rpc', SID: sid, AID: 'x', CI: '1', TYPE: 'xmlhttp' }),
    );
    expect(badAid.status).toBe(400);
  });

  it('huge bodies answer 413', async () => {
    const server = channelServerOf(h.core);
    const max = server.options.maxBodyBytes;
    const r = await post(
      channelUrl('Write', { RID: '1' }),
      `count=1&ofs=0&req0___data__=${'x'.repeat(max + 10)}`,
    );
    expect(r.status).toBe(413);
  });

  it('idle sessions are closed after the timeout, back to 0 live sessions', async () => {
    const server = channelServerOf(h.core);
    server.closeAll();
    server.configure({ idleMs: 150 });
    try {
      await Promise.all(Array.from({ length: 5 }, () => open('Listen', [])));
      expect(server.liveSessions).toBe(5);
      await new Promise((r) => setTimeout(r, 600));
      expect(server.liveSessions).toBe(0);
    } finally {
      server.configure({ idleMs: 60_000 });
    }
  });

  it('a session whose unread messages pass the buffer cap is dropped (the client reconnects and resumes)', async () => {
    const server = channelServerOf(h.core);
    server.closeAll();
    server.configure({ maxBufferedChars: 2_000 });
    try {
      const target = {
        query: { parent: `${DB}/documents`, structuredQuery: { from: [{ collectionId: 'flood' }] } },
        targetId: 8,
      };
      const sid = await open('Listen', [{ database: DB, addTarget: target }]);
      expect(server.liveSessions).toBe(1);
      const admin = adminClient(h);
      for (let i = 0; i < 20; i++) await admin.doc(`flood/d${i}`).set({ text: 'y'.repeat(200) });
      expect(server.liveSessions).toBe(0);
      const r = await fetch(
        channelUrl('Listen', { RID: 'rpc', SID: sid, AID: '0', CI: '1', TYPE: 'xmlhttp' }),
      );
      expect(r.status).toBe(400);
    } finally {
      server.configure({ maxBufferedChars: 8 * 1024 * 1024 });
    }
  });

  it('a streaming back channel (CI=0) stays open and gets later messages and noops', async () => {
    const server = channelServerOf(h.core);
    server.configure({ noopMs: 100 });
    try {
      const target = { documents: { documents: [`${DB}/documents/open/s`] }, targetId: 10 };
      const sid = await open('Listen', [{ database: DB, addTarget: target }]);
      const ac = new AbortController();
      const r = await fetch(
        channelUrl('Listen', { RID: 'rpc', SID: sid, AID: '0', CI: '0', TYPE: 'xmlhttp' }),
        {
          signal: ac.signal,
        },
      );
      const reader = r.body!.getReader();
      let text = '';
      const dec = new TextDecoder();
      const started = Date.now();
      await adminClient(h).doc('open/s').set({ n: 3 });
      while (!(text.includes('documentChange') && text.includes('"noop"')) && Date.now() - started < 5000) {
        const { value, done } = await reader.read();
        if (done) break;
        text += dec.decode(value, { stream: true });
      }
      ac.abort();
      const ids = (unframe(text) as [number, unknown][][]).flat().map(([id]) => id);
      expect(ids).toEqual(ids.map((_, i) => i + 1));
      expect(text).toContain('documentChange');
      expect(text).toContain('"noop"');
    } finally {
      server.configure({ noopMs: 25_000 });
    }
  });
});

const hubSize = () => h.core.db({ project: PROJECT, database: '(default)' }).listeners!.size;

async function terminate(rpc: Rpc, sid: string): Promise<number> {
  const r = await fetch(channelUrl(rpc, { SID: sid, RID: '9', TYPE: 'terminate' }), { method: 'POST' });
  return r.status;
}

describe('WebChannel reconnect and resume', () => {
  it('a target added again with its resumeToken (as the SDK does on a new channel) gets ADD, RESET, the current documents and CURRENT with a new token (watch_change.ts: RESET drops what the client had)', async () => {
    const admin = adminClient(h);
    await admin.doc('open/res1').set({ v: 1 });
    const target = {
      query: {
        parent: `${DB}/documents`,
        structuredQuery: {
          from: [{ collectionId: 'open' }],
          where: {
            fieldFilter: { field: { fieldPath: 'v' }, op: 'GREATER_THAN', value: { integerValue: '0' } },
          },
        },
      },
      targetId: 12,
    };
    const first = await open('Listen', [{ database: DB, addTarget: target }]);
    const a = await collect('Listen', first, (p) => p.length >= 4);
    const current = a.seen.find((p) => types([p])[0] === 'targetChange:CURRENT') as {
      targetChange: { resumeToken: string };
    };
    expect(current.targetChange.resumeToken).toMatch(/.+/);
    // The channel is lost (terminate stands in for a dropped connection); meanwhile a write.
    expect(await terminate('Listen', first)).toBe(200);
    await admin.doc('open/res2').set({ v: 2 });
    const resumed = { ...target, resumeToken: current.targetChange.resumeToken, expectedCount: 1 };
    const second = await open('Listen', [{ database: DB, addTarget: resumed }]);
    const b = await collect('Listen', second, (p) =>
      p.some((x) => types([x])[0] === 'targetChange:NO_CHANGE'),
    );
    const kinds = types(b.seen);
    expect(kinds.slice(0, 2)).toEqual(['targetChange:ADD', 'targetChange:RESET']);
    expect(kinds.slice(-2)).toEqual(['targetChange:CURRENT', 'targetChange:NO_CHANGE']);
    const names = b.seen
      .filter((p) => types([p])[0] === 'documentChange')
      .map((p) => (p as { documentChange: { document: { name: string } } }).documentChange.document.name);
    expect(names).toContain(`${DB}/documents/open/res2`);
    expect(names).toContain(`${DB}/documents/open/res1`);
    await terminate('Listen', second);
  });

  it('a back channel cut mid-stream is re-attached with the last AID the client saw and gets only what followed', async () => {
    const target = { documents: { documents: [`${DB}/documents/open/cut`] }, targetId: 14 };
    const sid = await open('Listen', [{ database: DB, addTarget: target }]);
    const a = await collect('Listen', sid, (p) => p.length >= 3);
    const ac = new AbortController();
    const stream = await fetch(
      channelUrl('Listen', { RID: 'rpc', SID: sid, AID: String(a.last), CI: '0', TYPE: 'xmlhttp' }),
      { signal: ac.signal },
    );
    expect(stream.status).toBe(200);
    ac.abort();
    await adminClient(h).doc('open/cut').set({ n: 1 });
    const b = await collect('Listen', sid, (p) => p.length >= 2, a.last);
    expect(types(b.seen)).toEqual(['documentChange', 'targetChange:NO_CHANGE']);
    await terminate('Listen', sid);
  });

  it('ids stay consecutive over thousands of acknowledged messages, and a resend after them starts right after the AID given', async () => {
    const target = {
      query: { parent: `${DB}/documents`, structuredQuery: { from: [{ collectionId: 'flood' }] } },
      targetId: 15,
    };
    const sid = await open('Listen', [{ database: DB, addTarget: target }]);
    let { last } = await collect('Listen', sid, (p) => types(p).includes('targetChange:CURRENT'));
    const ids: number[] = [];
    const names: string[] = [];
    for (let round = 0; round < 3; round++) {
      const batch = adminClient(h).batch();
      for (let i = 0; i < 500; i++) batch.set(adminClient(h).doc(`flood/r${round}-${i}`), { i });
      await batch.commit();
      let changes = 0;
      for (let polls = 0; changes < 500 && polls < 100; polls++) {
        for (const [id, p] of await poll('Listen', sid, last)) {
          ids.push(id);
          last = id;
          const change = (p as { documentChange?: { document: { name: string } } }).documentChange;
          if (change) {
            changes++;
            names.push(change.document.name);
          }
        }
      }
    }
    expect(ids.every((id, i) => i === 0 || id === ids[i - 1]! + 1)).toBe(true);
    expect(names.length).toBe(1500);
    expect(new Set(names).size).toBe(1500);
    await adminClient(h).doc('flood/after').set({ i: -1 });
    const fresh = await collect('Listen', sid, (p) => p.length >= 2, last);
    // The client lost the last answer: it comes again with the same ids.
    const again = await poll('Listen', sid, last);
    expect(again.map(([id]) => id)).toEqual([last + 1, last + 2]);
    expect(again.map(([, p]) => p)).toEqual(fresh.seen);
    await terminate('Listen', sid);
  });

  it('a large result lost on its back channel is sent again when the client retries with AID=0, within the recent window and its character cap (the SDK does so; Unknown SID there stalled a query in the browser suite, firebase-js-sdk "Hanging query issue #7652")', async () => {
    const server = channelServerOf(h.core);
    const admin = adminClient(h);
    for (let i = 0; i < 12; i++) await admin.doc(`big/d${i}`).set({ text: 'z'.repeat(400) });
    const target = {
      query: { parent: `${DB}/documents`, structuredQuery: { from: [{ collectionId: 'big' }] } },
      targetId: 15,
    };
    const retry = async () => {
      const sid = await open('Listen', [{ database: DB, addTarget: target }]);
      const first = await collect('Listen', sid, (p) => types(p).includes('targetChange:NO_CHANGE'));
      // The answer never reached the client, which asks again from the start.
      const again = await fetch(
        channelUrl('Listen', { RID: 'rpc', SID: sid, AID: '0', CI: '1', TYPE: 'xmlhttp' }),
      );
      return { sid, first, status: again.status, text: await again.text() };
    };
    try {
      // Far more than the characters kept for a resend, but sent a moment ago.
      server.configure({ retainSentChars: 1_000 });
      const kept = await retry();
      expect(kept.status).toBe(200);
      const ids = (unframe(kept.text) as [number, unknown][][]).flat().map(([id]) => id);
      expect(ids).toEqual(Array.from({ length: kept.first.last }, (_, i) => i + 1));
      // Past the time window the same retry finds the result forgotten: the session ends, so
      // the client's next request gets Unknown SID and it reconnects.
      server.configure({ retainSentMs: 0 });
      const lost = await retry();
      expect(unframe(lost.text)).toEqual([]);
      const next = await fetch(
        channelUrl('Listen', { RID: 'rpc', SID: lost.sid, AID: '0', CI: '1', TYPE: 'xmlhttp' }),
      );
      expect(next.status).toBe(400);
      // Recent or not, no more than retainRecentChars is kept: a busy stream would otherwise
      // hold ten seconds of everything it carried.
      server.configure({ retainSentMs: 10_000, retainRecentChars: 2_000 });
      const capped = await retry();
      expect(unframe(capped.text)).toEqual([]);
    } finally {
      server.configure({ retainSentChars: 64 * 1024, retainSentMs: 10_000, retainRecentChars: 1024 * 1024 });
    }
  });
});

describe('WebChannel: many channels and targets', () => {
  it('one Listen channel carries several targets; removeTarget stops one of them (REMOVE) while the other keeps getting changes', async () => {
    const docTarget = (id: number, path: string) => ({
      database: DB,
      addTarget: { documents: { documents: [`${DB}/documents/${path}`] }, targetId: id },
    });
    const sid = await open('Listen', [docTarget(20, 'open/m1')]);
    await forward('Listen', sid, 2, 0, [docTarget(22, 'open/m2')], 1);
    const a = await collect(
      'Listen',
      sid,
      (p) => types(p).filter((t) => t === 'targetChange:CURRENT').length >= 2,
    );
    const currents = a.seen.filter((p) => types([p])[0] === 'targetChange:CURRENT');
    expect(
      currents.map((p) => (p as { targetChange: { targetIds: number[] } }).targetChange.targetIds),
    ).toEqual([[20], [22]]);
    await forward('Listen', sid, 3, a.last, [{ database: DB, removeTarget: 20 }], 2);
    const admin = adminClient(h);
    await admin.doc('open/m1').set({ n: 1 });
    await admin.doc('open/m2').set({ n: 2 });
    const b = await collect(
      'Listen',
      sid,
      (p) => p.filter((x) => types([x])[0] === 'documentChange').length >= 1,
      a.last,
    );
    expect(b.seen[0]).toMatchObject({ targetChange: { targetChangeType: 'REMOVE', targetIds: [20] } });
    const changes = b.seen.filter((p) => types([p])[0] === 'documentChange') as {
      documentChange: { document: { name: string }; targetIds: number[] };
    }[];
    expect(changes.map((c) => [c.documentChange.document.name, c.documentChange.targetIds])).toEqual([
      [`${DB}/documents/open/m2`, [22]],
    ]);
    await terminate('Listen', sid);
  });

  it(
    '200 Listen channels on one collection each get one admin write; terminating them leaves no session and no registered target behind',
    { timeout: 30_000 },
    async () => {
      const server = channelServerOf(h.core);
      server.closeAll();
      const targetsBefore = hubSize();
      const target = {
        query: { parent: `${DB}/documents`, structuredQuery: { from: [{ collectionId: 'fan' }] } },
        targetId: 2,
      };
      const sids: string[] = [];
      for (let i = 0; i < 200; i += 50) {
        sids.push(
          ...(await Promise.all(
            Array.from({ length: 50 }, () => open('Listen', [{ database: DB, addTarget: target }])),
          )),
        );
      }
      expect(server.liveSessions).toBe(200);
      expect(hubSize()).toBe(targetsBefore + 200);
      const firsts = await Promise.all(sids.map((sid) => collect('Listen', sid, (p) => p.length >= 3)));
      await adminClient(h).doc('fan/x').set({ n: 1 });
      const seen = await Promise.all(
        sids.map((sid, i) => collect('Listen', sid, (p) => p.length >= 2, firsts[i]!.last)),
      );
      expect(seen.every((s) => types(s.seen).join() === 'documentChange,targetChange:NO_CHANGE')).toBe(true);
      for (let i = 0; i < sids.length; i += 50) {
        await Promise.all(sids.slice(i, i + 50).map((sid) => terminate('Listen', sid)));
      }
      expect(server.liveSessions).toBe(0);
      expect(hubSize()).toBe(targetsBefore);
    },
  );

  it('sessions beyond the cap answer 429 until some close (memory stays bounded)', async () => {
    const server = channelServerOf(h.core);
    server.closeAll();
    server.configure({ maxSessions: 3 });
    try {
      const sids = await Promise.all([0, 1, 2].map(() => open('Write', [{ database: DB }])));
      const over = await post(channelUrl('Write', { RID: '1' }), formBody([{ database: DB }], 0));
      expect(over.status).toBe(429);
      await terminate('Write', sids[0]!);
      expect((await post(channelUrl('Write', { RID: '1' }), formBody([{ database: DB }], 0))).status).toBe(
        200,
      );
    } finally {
      server.configure({ maxSessions: 5_000 });
      server.closeAll();
    }
  });
});

describe('WebChannel: bad input gets clean errors, nothing crashes', () => {
  it('odd requests answer 4xx with a message: wrong methods, creation without a body by GET, bad AIDs, too many messages, unknown SIDs with bodies', async () => {
    const url = (p: Record<string, string>) => channelUrl('Listen', p);
    const cases: [string, RequestInit & { url: string }, number][] = [
      ['PUT', { url: url({ RID: '1' }), method: 'PUT', body: 'count=0' }, 405],
      ['DELETE', { url: url({ RID: '1' }), method: 'DELETE' }, 405],
      ['GET create', { url: url({ RID: '1' }) }, 400],
      ['negative AID', { url: url({ RID: 'rpc', SID: 'x', AID: '-1', CI: '1', TYPE: 'xmlhttp' }) }, 400],
      ['count over 1000', { url: url({ RID: '1' }), method: 'POST', body: 'count=1001&ofs=0' }, 400],
      ['ofs missing', { url: url({ RID: '1' }), method: 'POST', body: 'count=1&req0___data__=%7B%7D' }, 400],
      [
        'unknown SID with a body',
        { url: url({ RID: '2', SID: 'gone', AID: '0' }), method: 'POST', body: 'x'.repeat(100_000) },
        400,
      ],
    ];
    for (const [what, init, status] of cases) {
      const r = await fetch(init.url, {
        ...init,
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      });
      expect([what, r.status]).toEqual([what, status]);
      expect((await r.text()).trim().length).toBeGreaterThan(0);
    }
    // Still serving.
    expect(typeof (await open('Write', [{ database: DB }]))).toBe('string');
  });

  it('messages of the wrong shape end the stream with INVALID_ARGUMENT, one per channel (Listen and Write)', async () => {
    const listenBad: unknown[] = [
      [],
      'text',
      { database: DB, addTarget: 5 },
      { database: DB, addTarget: { targetId: 'abc', query: {} } },
      { database: DB, removeTarget: 'x' },
      { database: DB, addTarget: { targetId: 3, query: { parent: 'nowhere', structuredQuery: {} } } },
    ];
    for (const msg of listenBad) {
      const sid = await open('Listen', [msg]);
      const r = await collect('Listen', sid, (p) => p.length >= 1);
      // Either the stream ends (error) or the target does (REMOVE with cause 3).
      const first =
        r.seen.find((p) => (p as Record<string, unknown>)['error'] !== undefined) ??
        r.seen.find((p) => types([p])[0] === 'targetChange:REMOVE');
      expect([msg, /INVALID_ARGUMENT|"code":3\b/.test(JSON.stringify(first))]).toEqual([msg, true]);
      await terminate('Listen', sid);
    }
    const writeBad: unknown[][] = [
      [{ database: 5 }],
      [{ database: DB }, { writes: 'x' }],
      [{ database: DB }, [1]],
    ];
    for (const msgs of writeBad) {
      const sid = await open('Write', msgs);
      const r = await collect('Write', sid, (p) =>
        p.some((x) => (x as Record<string, unknown>)['error'] !== undefined),
      );
      expect(r.seen.at(-1)).toMatchObject({ error: { status: 'INVALID_ARGUMENT', code: 400 } });
      await terminate('Write', sid);
    }
  });

  it('a body without Content-Length that grows past the cap answers 413 and the connection closes', async () => {
    const max = channelServerOf(h.core).options.maxBodyBytes;
    const chunk = new TextEncoder().encode('x'.repeat(1024 * 1024));
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(c) {
        if (sent > max + chunk.length) return c.close();
        sent += chunk.length;
        c.enqueue(chunk);
      },
    });
    const r = await fetch(channelUrl('Write', { RID: '1' }), {
      method: 'POST',
      body,
      duplex: 'half',
    } as RequestInit);
    expect(r.status).toBe(413);
    expect(r.headers.get('connection')).toBe('close');
  });
});

describe('WebChannel: CORS with credentials on every answer the browser SDK reads', () => {
  const origin = 'http://localhost:5173';
  const corsOf = (r: { headers: Headers }) => [
    r.headers.get('access-control-allow-origin'),
    r.headers.get('access-control-allow-credentials'),
  ];

  it('REST answers (batchGet, commit, beginTransaction, an error) and channel answers (create, back channel, forward, Unknown SID) echo the origin with Allow-Credentials', async () => {
    const token = mockIdToken({ sub: 'alice' });
    const headers = { origin, authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    const restCalls: [string, unknown][] = [
      ['documents:batchGet', { documents: [`${DB}/documents/open/cors`] }],
      ['documents:beginTransaction', {}],
      ['documents:commit', { writes: [{ update: { name: `${DB}/documents/open/cors`, fields: {} } }] }],
      ['documents:commit', { writes: [{ update: { name: 'bad' } }] }],
    ];
    for (const [verb, body] of restCalls) {
      const r = await fetch(`${h.url}/v1/${DB}/${verb}`, {
        method: 'POST',
        headers,
        body: JSON.stringify(body),
      });
      expect([verb, ...corsOf(r)]).toEqual([verb, origin, 'true']);
    }
    const created = await post(channelUrl('Listen', { RID: '1', CVER: '22' }), formBody([], 0), { origin });
    expect(corsOf(created)).toEqual([origin, 'true']);
    const sid = (unframe(created.text) as [[number, [string, string]]][])[0]![0]![1][1];
    const fw = await post(channelUrl('Listen', { SID: sid, RID: '2', AID: '0' }), formBody([], 1), {
      origin,
    });
    expect(corsOf(fw)).toEqual([origin, 'true']);
    const back = await fetch(
      channelUrl('Listen', { RID: 'rpc', SID: sid, AID: '0', CI: '1', TYPE: 'xmlhttp' }),
      {
        headers: { origin },
        signal: AbortSignal.timeout(2000),
      },
    );
    expect(corsOf(back)).toEqual([origin, 'true']);
    await back.body?.cancel();
    const unknown = await post(channelUrl('Listen', { SID: 'gone', RID: '3', AID: '0' }), formBody([], 1), {
      origin,
    });
    expect([unknown.status, ...corsOf(unknown)]).toEqual([400, origin, 'true']);
    await terminate('Listen', sid);
  });
});

describe('WebChannel: a client that stops reading', () => {
  it(
    'a streaming back channel whose reader stalls stops being written (socket backlog cap) and the session is dropped at the buffer cap, so server memory stays bounded',
    { timeout: 30_000 },
    async () => {
      const server = channelServerOf(h.core);
      server.closeAll();
      server.configure({ maxSocketBacklog: 64 * 1024, maxBufferedChars: 1024 * 1024 });
      try {
        const target = {
          query: { parent: `${DB}/documents`, structuredQuery: { from: [{ collectionId: 'flood' }] } },
          targetId: 16,
        };
        const sid = await open('Listen', [{ database: DB, addTarget: target }]);
        // A raw socket that sends the back-channel request and never reads the answer.
        const sock = connect(h.port, '127.0.0.1');
        await new Promise((r) => sock.once('connect', r));
        const url = new URL(
          channelUrl('Listen', { RID: 'rpc', SID: sid, AID: '0', CI: '0', TYPE: 'xmlhttp' }),
        );
        sock.write(`GET ${url.pathname}${url.search} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
        sock.pause();
        const admin = adminClient(h);
        const big = 'z'.repeat(100_000);
        // Far more than loopback's socket buffers and the session cap together.
        for (let i = 0; i < 200 && server.liveSessions > 0; i++)
          await admin.doc(`flood/big${i % 20}`).set({ big, i });
        expect(server.liveSessions).toBe(0);
        sock.destroy();
      } finally {
        server.configure({ maxSocketBacklog: 256 * 1024, maxBufferedChars: 8 * 1024 * 1024 });
      }
    },
  );
});

describe('WebChannel framing of shared document bytes', () => {
  it('frame lengths count UTF-16 code units for documents with accents, emoji and escapes, sent to several listeners at once', async () => {
    const target = { documents: { documents: [`${DB}/documents/open/utf`] }, targetId: 18 };
    const sids = await Promise.all(
      [0, 1, 2].map(() => open('Listen', [{ database: DB, addTarget: target }])),
    );
    const firsts = await Promise.all(sids.map((sid) => collect('Listen', sid, (p) => p.length >= 3)));
    const text = 'héllo 👋 "quoted" \\ \u2028 ünïcødé';
    await adminClient(h).doc('open/utf').set({ text });
    // collect() parses every chunk with unframe(), which fails on a wrong length.
    const seen = await Promise.all(
      sids.map((sid, i) => collect('Listen', sid, (p) => p.length >= 2, firsts[i]!.last)),
    );
    for (const s of seen) {
      const change = s.seen[0] as {
        documentChange: { document: { fields: { text: { stringValue: string } } } };
      };
      expect(change.documentChange.document.fields.text.stringValue).toBe(text);
    }
    await Promise.all(sids.map((sid) => terminate('Listen', sid)));
  });
});

describe('WebChannel: unread messages of all sessions together are capped', () => {
  it('sessions whose messages pass the server-wide cap are dropped; the count of buffered characters goes back to 0 when sessions close', async () => {
    const server = channelServerOf(h.core);
    server.closeAll();
    expect(server.bufferedChars).toBe(0);
    server.configure({ maxTotalBufferedChars: 6_000 });
    try {
      const target = {
        query: { parent: `${DB}/documents`, structuredQuery: { from: [{ collectionId: 'flood' }] } },
        targetId: 20,
      };
      // No back channel attached: everything they are sent stays buffered.
      await Promise.all([0, 1, 2, 3].map(() => open('Listen', [{ database: DB, addTarget: target }])));
      const admin = adminClient(h);
      for (let i = 0; i < 10 && server.liveSessions > 0; i++) {
        await admin.doc(`flood/cap${i}`).set({ text: 'c'.repeat(500) });
        expect(server.bufferedChars).toBeLessThanOrEqual(6_000);
      }
      expect(server.liveSessions).toBeLessThan(4);
      server.closeAll();
      expect(server.bufferedChars).toBe(0);
    } finally {
      server.configure({ maxTotalBufferedChars: 256 * 1024 * 1024 });
    }
  });
});
