/**
 * The hand-written gRPC transport against @grpc/grpc-js's client: framing, statuses, deadlines,
 * compression and streams (PROTOCOL-HTTP2.md; statuses where the protocol leaves a choice as
 * grpc-js's own server answers them).
 */
import { connect } from 'node:http2';
import type { AddressInfo, Server } from 'node:net';
import { gzipSync } from 'node:zlib';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Code, FirestoreError } from '../errors.js';
import {
  createGrpcServer,
  encodeGrpcMessage,
  type GrpcMethod,
  type Msg,
  type StreamCall,
} from './transport.js';

// Messages are JSON here, so the tests read without protobuf.
const json = {
  decode: (b: Buffer): Msg => {
    try {
      return JSON.parse(b.toString('utf8')) as Msg;
    } catch {
      throw new FirestoreError(Code.INVALID_ARGUMENT, 'not JSON');
    }
  },
  encode: (m: Msg): Uint8Array => Buffer.from(JSON.stringify(m)),
};
const ser = (m: Msg) => Buffer.from(JSON.stringify(m));
const de = (b: Buffer) => JSON.parse(b.toString('utf8')) as Msg;

let closedStreams = 0;
let calls = 0;
const methods = new Map<string, GrpcMethod>([
  [
    '/t.T/Echo',
    { kind: 'unary', ...json, handle: (req, headers) => ({ ...req, auth: headers.authorization }) },
  ],
  [
    '/t.T/Fail',
    {
      kind: 'unary',
      ...json,
      handle: () => {
        throw new FirestoreError(Code.NOT_FOUND, 'Document "ü/100%" not found.');
      },
    },
  ],
  [
    '/t.T/Slow',
    { kind: 'unary', ...json, handle: () => new Promise<Msg>((r) => setTimeout(() => r({}), 2000)) },
  ],
  ['/t.T/Big', { kind: 'unary', ...json, handle: () => ({ s: 'x'.repeat(2000) }) }],
  [
    '/t.T/Count',
    {
      kind: 'serverStream',
      ...json,
      handle: async (req) => Array.from({ length: Number(req['n']) }, (_, i) => ({ i })),
    },
  ],
  [
    '/t.T/Chat',
    {
      kind: 'bidi',
      ...json,
      handle: (call: StreamCall) => {
        call.on('data', (m: Msg) => {
          if (m['fail']) call.fail(new FirestoreError(Code.ABORTED, 'asked to fail'));
          else call.write({ echo: m['v'] });
        });
        call.on('end', () => call.end());
        call.on('close', () => closedStreams++);
      },
    },
  ],
]);

let server: Server;
let client: grpc.Client;
let address: string;

beforeAll(async () => {
  server = createGrpcServer(methods, {
    maxReceiveMessageLength: 1024,
    maxSendMessageLength: 1024,
    onCall: () => calls++,
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  address = `127.0.0.1:${(server.address() as AddressInfo).port}`;
  client = new grpc.Client(address, grpc.credentials.createInsecure());
});

afterAll(async () => {
  client.close();
  await new Promise((r) => server.close(r));
});

function unary(
  path: string,
  req: Msg,
  opts: { metadata?: grpc.Metadata; deadline?: number; c?: grpc.Client } = {},
): Promise<{ err: grpc.ServiceError | null; res?: Msg }> {
  return new Promise((resolve) => {
    (opts.c ?? client).makeUnaryRequest(
      path,
      ser,
      de,
      req,
      opts.metadata ?? new grpc.Metadata(),
      opts.deadline ? { deadline: Date.now() + opts.deadline } : {},
      (err, res) => resolve({ err, res }),
    );
  });
}

/** Sends raw gRPC frames on a bare HTTP/2 stream and reads the status it gets back. */
function raw(
  path: string,
  body: Buffer,
  headers: Record<string, string> = {},
): Promise<{ status: number; grpcStatus?: string; grpcMessage?: string }> {
  return new Promise((resolve, reject) => {
    const session = connect(`http://${address}`);
    session.on('error', reject);
    const stream = session.request({
      ':method': 'POST',
      ':path': path,
      'content-type': 'application/grpc',
      te: 'trailers',
      ...headers,
    });
    let status = 0;
    let grpcStatus: string | undefined;
    let grpcMessage: string | undefined;
    const take = (h: Record<string, unknown>) => {
      if (h['grpc-status'] !== undefined) grpcStatus = String(h['grpc-status']);
      if (h['grpc-message'] !== undefined) grpcMessage = String(h['grpc-message']);
    };
    stream.on('response', (h) => {
      status = Number(h[':status']);
      take(h);
    });
    stream.on('trailers', take);
    stream.resume();
    stream.on('close', () => {
      session.close();
      resolve({ status, grpcStatus, grpcMessage });
    });
    stream.end(body);
  });
}

function framed(payload: Buffer, compressed = false): Buffer {
  const head = Buffer.alloc(5);
  head[0] = compressed ? 1 : 0;
  head.writeUInt32BE(payload.length, 1);
  return Buffer.concat([head, payload]);
}

describe('gRPC transport', () => {
  it('answers a unary call and passes the request headers to the handler', async () => {
    const md = new grpc.Metadata();
    md.set('authorization', 'Bearer owner');
    const before = calls;
    const { err, res } = await unary('/t.T/Echo', { a: 1 }, { metadata: md });
    expect(err).toBeNull();
    expect(res).toEqual({ a: 1, auth: 'Bearer owner' });
    expect(calls).toBe(before + 1);
  });

  it("carries the handler's error code and a percent-encoded message the client decodes", async () => {
    const { err } = await unary('/t.T/Fail', {});
    expect(err?.code).toBe(grpc.status.NOT_FOUND);
    expect(err?.details).toBe('Document "ü/100%" not found.');
    expect(encodeGrpcMessage('ü 100%')).toBe('%C3%BC 100%25');
  });

  it('answers an unknown method with UNIMPLEMENTED and a non-gRPC request with HTTP 415', async () => {
    expect((await unary('/t.T/Nope', {})).err?.code).toBe(grpc.status.UNIMPLEMENTED);
    const r = await raw('/t.T/Echo', framed(ser({})), { 'content-type': 'application/json' });
    expect(r.status).toBe(415);
  });

  it('answers an undecodable request with the decoder error (INVALID_ARGUMENT)', async () => {
    const r = await raw('/t.T/Echo', framed(Buffer.from('{not json')));
    expect(r.grpcStatus).toBe(String(Code.INVALID_ARGUMENT));
  });

  it('rejects a message over the receive limit with RESOURCE_EXHAUSTED', async () => {
    const { err } = await unary('/t.T/Echo', { s: 'x'.repeat(2000) });
    expect(err?.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
    expect(err?.details).toMatch(/larger than max/);
  });

  it('refuses to send a response over the send limit with RESOURCE_EXHAUSTED', async () => {
    expect((await unary('/t.T/Big', {})).err?.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
  });

  it('rejects a unary call with no message or with two messages as grpc-js does (UNIMPLEMENTED)', async () => {
    expect((await raw('/t.T/Echo', Buffer.alloc(0))).grpcStatus).toBe(String(Code.UNIMPLEMENTED));
    const two = Buffer.concat([framed(ser({ a: 1 })), framed(ser({ a: 2 }))]);
    expect((await raw('/t.T/Echo', two)).grpcStatus).toBe(String(Code.UNIMPLEMENTED));
    // A request cut off in the middle of a frame has no complete message either.
    expect((await raw('/t.T/Echo', framed(ser({ a: 1 })).subarray(0, 8))).grpcStatus).toBe(
      String(Code.UNIMPLEMENTED),
    );
  });

  it('reassembles a message split across DATA frames', async () => {
    const whole = framed(ser({ split: true }));
    const r = await new Promise<Msg>((resolve, reject) => {
      const session = connect(`http://${address}`);
      const stream = session.request({
        ':method': 'POST',
        ':path': '/t.T/Echo',
        'content-type': 'application/grpc',
      });
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('error', reject);
      stream.on('close', () => {
        session.close();
        resolve(de(Buffer.concat(chunks).subarray(5)));
      });
      stream.write(whole.subarray(0, 3));
      setTimeout(() => stream.end(whole.subarray(3)), 20);
    });
    expect(r).toEqual({ split: true });
  });

  it('accepts gzip-compressed messages and rejects unknown encodings with UNIMPLEMENTED', async () => {
    const gz = await raw('/t.T/Echo', framed(gzipSync(ser({ z: 1 })), true), { 'grpc-encoding': 'gzip' });
    expect(gz.grpcStatus).toBe('0');
    const bomb = await raw('/t.T/Echo', framed(gzipSync(Buffer.alloc(100_000, 32)), true), {
      'grpc-encoding': 'gzip',
    });
    expect(bomb.grpcStatus).toBe(String(Code.RESOURCE_EXHAUSTED));
    const snappy = await raw('/t.T/Echo', framed(Buffer.from('xx'), true), { 'grpc-encoding': 'snappy' });
    expect(snappy.grpcStatus).toBe(String(Code.UNIMPLEMENTED));
  });

  it("ends a call that outlives the client's deadline with DEADLINE_EXCEEDED", async () => {
    const t0 = Date.now();
    const { err } = await unary('/t.T/Slow', {}, { deadline: 100 });
    expect(err?.code).toBe(grpc.status.DEADLINE_EXCEEDED);
    expect(Date.now() - t0).toBeLessThan(1500);
    const bad = await raw('/t.T/Echo', framed(ser({})), { 'grpc-timeout': 'soon' });
    expect(bad.grpcStatus).toBe(String(Code.INTERNAL));
  });

  it('streams server responses in order', async () => {
    const got: Msg[] = [];
    await new Promise<void>((resolve, reject) => {
      const call = client.makeServerStreamRequest('/t.T/Count', ser, de, { n: 3 }, new grpc.Metadata());
      call.on('data', (m: Msg) => got.push(m));
      call.on('error', reject);
      call.on('end', () => resolve());
    });
    expect(got).toEqual([{ i: 0 }, { i: 1 }, { i: 2 }]);
  });

  it('runs a bidirectional stream, ends it with OK on half-close and with the error on fail', async () => {
    const run = (msgs: Msg[]) =>
      new Promise<{ got: Msg[]; code: number }>((resolve) => {
        const got: Msg[] = [];
        const call = client.makeBidiStreamRequest('/t.T/Chat', ser, de, new grpc.Metadata());
        call.on('data', (m: Msg) => got.push(m));
        call.on('status', (s: grpc.StatusObject) => resolve({ got, code: s.code }));
        call.on('error', () => {});
        for (const m of msgs) call.write(m);
        call.end();
      });
    const ok = await run([{ v: 1 }, { v: 2 }]);
    expect(ok).toEqual({ got: [{ echo: 1 }, { echo: 2 }], code: grpc.status.OK });
    const failed = await run([{ v: 1 }, { fail: true }, { v: 3 }]);
    expect(failed.code).toBe(grpc.status.ABORTED);
    expect(failed.got).toEqual([{ echo: 1 }]);
  });

  it("tells a stream's handler when the client goes away", async () => {
    const before = closedStreams;
    const c = new grpc.Client(address, grpc.credentials.createInsecure());
    const call = c.makeBidiStreamRequest('/t.T/Chat', ser, de, new grpc.Metadata());
    call.on('error', () => {});
    await new Promise<void>((resolve) => {
      call.once('data', () => resolve());
      call.write({ v: 1 });
    });
    call.cancel();
    c.close();
    for (let i = 0; i < 100 && closedStreams === before; i++) await new Promise((r) => setTimeout(r, 10));
    expect(closedStreams).toBe(before + 1);
  });
});
