/**
 * The HTTP/2 server connection against Node's own HTTP/2 client (nghttp2: HPACK with Huffman and
 * indexing, flow control, CONTINUATION) and against hand-made frames for the protocol errors
 * (RFC 9113).
 */
import { connect as h2connect, type ClientHttp2Session, type IncomingHttpHeaders } from 'node:http2';
import { connect as tcpConnect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serveHttp2 } from './connection.js';
import { ErrorCode, Flag, frameHeader, FrameType } from './frames.js';
import { encodeHeaderBlock } from './hpack.js';
import type { ServerStream } from './stream.js';

type Handler = (stream: ServerStream, headers: IncomingHttpHeaders) => void;
let handler: Handler = () => {};
let server: Server;
let port: number;

beforeAll(async () => {
  server = createServer((socket) => serveHttp2(socket, (s, h) => handler(s, h)));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(() => new Promise((r) => server.close(r)));

const ok = encodeHeaderBlock([
  [':status', '200'],
  ['content-type', 'application/octet-stream'],
]);

/** Collects a request's body, then answers with `body` and a `x-end` trailer. */
function echoBody(body: (request: Buffer, headers: IncomingHttpHeaders) => Buffer): Handler {
  return (stream, headers) => {
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(Buffer.from(c)));
    stream.on('end', () => {
      stream.respond(ok);
      stream.write(body(Buffer.concat(chunks), headers));
      stream.end(encodeHeaderBlock([['x-end', 'done']]));
    });
  };
}

function request(
  session: ClientHttp2Session,
  headers: Record<string, string>,
  body?: Buffer,
): Promise<{ headers: IncomingHttpHeaders; body: Buffer; trailers: IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    const req = session.request({ ':method': 'POST', ':path': '/x', ...headers });
    let response: IncomingHttpHeaders = {};
    let trailers: IncomingHttpHeaders = {};
    const chunks: Buffer[] = [];
    req.on('response', (h) => (response = h));
    req.on('trailers', (t) => (trailers = t));
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('error', reject);
    req.on('end', () => resolve({ headers: response, body: Buffer.concat(chunks), trailers }));
    req.end(body);
  });
}

function open(settings = {}): ClientHttp2Session {
  const session = h2connect(`http://127.0.0.1:${port}`, { settings });
  session.on('error', () => {});
  return session;
}

describe('HTTP/2 server connection', () => {
  it('carries request headers and body in, and response headers, data and trailers out', async () => {
    handler = echoBody((req, h) => Buffer.from(`${String(h['x-name'])}:${req.toString()}`));
    const session = open();
    try {
      for (let i = 0; i < 5; i++) {
        const r = await request(session, { 'x-name': `Ada Lovelace ${i}` }, Buffer.from(`body ${i}`));
        expect(r.headers[':status']).toBe(200);
        expect(r.body.toString()).toBe(`Ada Lovelace ${i}:body ${i}`);
        expect(r.trailers['x-end']).toBe('done');
      }
    } finally {
      session.close();
    }
  });

  it('serves many concurrent streams on one connection', async () => {
    handler = echoBody((req) => req);
    const session = open();
    try {
      const all = await Promise.all(
        Array.from({ length: 200 }, (_, i) => request(session, {}, Buffer.from(`n${i}`))),
      );
      expect(all.map((r) => r.body.toString())).toEqual(Array.from({ length: 200 }, (_, i) => `n${i}`));
    } finally {
      session.close();
    }
  });

  it('receives a request larger than the initial windows (grants WINDOW_UPDATEs)', async () => {
    handler = echoBody((req) => Buffer.from(String(req.length)));
    const session = open();
    try {
      const big = Buffer.alloc(400_000, 7);
      expect((await request(session, {}, big)).body.toString()).toBe('400000');
    } finally {
      session.close();
    }
  });

  it('sends a large response within a small client window, resuming on WINDOW_UPDATE', async () => {
    const payload = Buffer.from(Array.from({ length: 300_000 }, (_, i) => i % 251));
    handler = echoBody(() => payload);
    const session = open({ initialWindowSize: 1000 });
    try {
      const r = await request(session, {});
      expect(r.body.equals(payload)).toBe(true);
      expect(r.trailers['x-end']).toBe('done');
    } finally {
      session.close();
    }
  });

  it('reads header blocks split over CONTINUATION frames and splits its own', async () => {
    const long = 'v'.repeat(40_000);
    handler = (stream, headers) => {
      stream.on('end', () => {
        stream.respond(ok);
        stream.end(encodeHeaderBlock([['x-echo', String(headers['x-long']).length + ':' + long]]));
      });
    };
    const session = open();
    try {
      const r = await request(session, { 'x-long': long });
      expect(r.trailers['x-echo']).toBe(`40000:${long}`);
    } finally {
      session.close();
    }
  });

  it('answers PING', async () => {
    handler = () => {};
    const session = open();
    try {
      // Node cancels a ping sent before the session is up.
      await new Promise((r) => session.once('connect', r));
      await new Promise<void>((resolve, reject) =>
        session.ping(Buffer.from('12345678'), (err, _ms, payload) => {
          if (err) reject(err);
          else {
            expect(payload.toString()).toBe('12345678');
            resolve();
          }
        }),
      );
    } finally {
      session.close();
    }
  });

  it('closes a stream as aborted when the client resets it or the connection drops', async () => {
    const closed: boolean[] = [];
    handler = (stream) => stream.on('close', () => closed.push(stream.aborted));
    const session = open();
    const req = session.request({ ':method': 'POST', ':path': '/x' });
    req.on('error', () => {});
    req.write('partial');
    await new Promise((r) => setTimeout(r, 30));
    expect(closed).toEqual([]);
    req.close(0x8);
    await until(() => closed.length === 1);
    const req2 = session.request({ ':method': 'POST', ':path': '/x' });
    req2.on('error', () => {});
    req2.write('partial');
    await new Promise((r) => setTimeout(r, 20));
    session.destroy();
    await until(() => closed.length === 2);
    expect(closed).toEqual([true, true]);
  });

  it('answers before the request ends, then tells the client to stop sending (RST_STREAM NO_ERROR)', async () => {
    handler = (stream) => {
      stream.respond(encodeHeaderBlock([[':status', '413']]), true);
    };
    const session = open();
    try {
      const status = await new Promise<number>((resolve, reject) => {
        const req = session.request({ ':method': 'POST', ':path': '/x' });
        req.on('response', (h) => resolve(Number(h[':status'])));
        req.on('error', reject);
        req.write(Buffer.alloc(1000));
      });
      expect(status).toBe(413);
      // The connection is still usable.
      handler = echoBody(() => Buffer.from('after'));
      expect((await request(session, {})).body.toString()).toBe('after');
    } finally {
      session.close();
    }
  });
});

/** Raw frames, for what a well-behaved client never sends. */
describe('HTTP/2 server connection, protocol errors (GOAWAY codes, RFC 9113 §5.4.1)', () => {
  const PREFACE = Buffer.from('PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n');
  const settings = frameHeader(0, FrameType.SETTINGS, 0, 0);
  const headersFrame = (id: number, block: Buffer, flags: number = Flag.END_HEADERS) =>
    Buffer.concat([frameHeader(block.length, FrameType.HEADERS, flags, id), block]);
  const request = encodeHeaderBlock([
    [':method', 'POST'],
    [':path', '/x'],
    [':scheme', 'http'],
  ]);

  /** Sends `bytes` and answers the GOAWAY error code the server closes with (null: none). */
  function goawayFor(bytes: Buffer): Promise<number | null> {
    return new Promise((resolve) => {
      const socket: Socket = tcpConnect(port, '127.0.0.1', () => socket.write(bytes));
      let got = Buffer.alloc(0);
      socket.on('data', (c: Buffer) => (got = Buffer.concat([got, c])));
      socket.on('error', () => {});
      socket.on('close', () => {
        for (let off = 0; off + 9 <= got.length;) {
          const len = got.readUIntBE(off, 3);
          if (got[off + 3] === FrameType.GOAWAY) return resolve(got.readUInt32BE(off + 9 + 4));
          off += 9 + len;
        }
        resolve(null);
      });
      setTimeout(() => socket.end(), 500);
    });
  }

  it('rejects a bad preface, oversized frames, DATA on stream 0, even stream ids and bad HPACK', async () => {
    handler = () => {};
    expect(await goawayFor(Buffer.from('PRI * HTTP/1.1\r\n\r\nXX\r\n\r\n'))).toBe(ErrorCode.PROTOCOL_ERROR);
    const big = Buffer.concat([frameHeader(20_000, FrameType.DATA, 0, 1), Buffer.alloc(20_000)]);
    expect(await goawayFor(Buffer.concat([PREFACE, settings, big]))).toBe(ErrorCode.FRAME_SIZE_ERROR);
    const data0 = Buffer.concat([frameHeader(1, FrameType.DATA, 0, 0), Buffer.from('x')]);
    expect(await goawayFor(Buffer.concat([PREFACE, settings, data0]))).toBe(ErrorCode.PROTOCOL_ERROR);
    expect(await goawayFor(Buffer.concat([PREFACE, settings, headersFrame(2, request)]))).toBe(
      ErrorCode.PROTOCOL_ERROR,
    );
    // Indexed field 0 is never valid (RFC 7541 §6.1).
    expect(await goawayFor(Buffer.concat([PREFACE, settings, headersFrame(1, Buffer.from([0x80]))]))).toBe(
      ErrorCode.COMPRESSION_ERROR,
    );
  });

  it('rejects a frame between HEADERS and its CONTINUATION, and a reused stream id', async () => {
    const ping = Buffer.concat([frameHeader(8, FrameType.PING, 0, 0), Buffer.alloc(8)]);
    expect(await goawayFor(Buffer.concat([PREFACE, settings, headersFrame(1, request, 0), ping]))).toBe(
      ErrorCode.PROTOCOL_ERROR,
    );
    const twice = Buffer.concat([headersFrame(3, request), headersFrame(1, request)]);
    expect(await goawayFor(Buffer.concat([PREFACE, settings, twice]))).toBe(ErrorCode.PROTOCOL_ERROR);
  });

  it('rejects a small header block that expands past the header-list limit (ENHANCE_YOUR_CALM)', async () => {
    // One 4,000-octet field added to the dynamic table (RFC 7541 §6.2.1), then referenced 300 times
    // by index 62 (§6.1): ~4 KB on the wire, 1.2 MB decoded.
    const value = Buffer.alloc(4000, 'a');
    const block = Buffer.concat([
      request,
      Buffer.from([0x40, 0x01, 0x78, 0x7f, 4000 - 127 - 128 * 30 + 128, 30]),
      value,
      Buffer.alloc(300, 0x80 | 62),
    ]);
    expect(await goawayFor(Buffer.concat([PREFACE, settings, headersFrame(1, block)]))).toBe(
      ErrorCode.ENHANCE_YOUR_CALM,
    );
  });

  it('ends only the connection whose stream handler throws (GOAWAY INTERNAL_ERROR)', async () => {
    handler = () => {
      throw new Error('handler bug');
    };
    const stderr = process.stderr.write.bind(process.stderr);
    const logged: string[] = [];
    process.stderr.write = ((chunk: string) => logged.push(String(chunk)) > 0) as typeof process.stderr.write;
    try {
      expect(await goawayFor(Buffer.concat([PREFACE, settings, headersFrame(1, request)]))).toBe(
        ErrorCode.INTERNAL_ERROR,
      );
    } finally {
      process.stderr.write = stderr;
    }
    expect(logged.join('')).toMatch(/handler bug/);
  });

  it('rejects a WINDOW_UPDATE that overflows the connection window', async () => {
    const wu = Buffer.concat([
      frameHeader(4, FrameType.WINDOW_UPDATE, 0, 0),
      Buffer.from([0x7f, 0xff, 0xff, 0xff]),
    ]);
    expect(await goawayFor(Buffer.concat([PREFACE, settings, wu]))).toBe(ErrorCode.FLOW_CONTROL_ERROR);
    // A well-formed exchange closes without GOAWAY.
    expect(await goawayFor(Buffer.concat([PREFACE, settings]))).toBeNull();
  });
});

async function until(cond: () => boolean): Promise<void> {
  for (let i = 0; i < 300 && !cond(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(cond()).toBe(true);
}
