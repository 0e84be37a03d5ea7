/**
 * gRPC server transport over ../../http2/: length-prefixed messages, status trailers, deadlines and
 * message compression, as in https://github.com/grpc/grpc/blob/master/doc/PROTOCOL-HTTP2.md.
 *
 * Written here instead of using @grpc/grpc-js's Server because that server's per-call machinery
 * (interceptor chain, channelz, Metadata objects, stream wrappers) cost about as much CPU per
 * Firestore write as the emulator's own work, and its modules ~11 MiB of resident memory
 * (bench/README.md). HTTP/2 itself is ../../http2/ (see there why not node:http2); what is left
 * here is the gRPC framing. Behaviour where the protocol leaves a choice (statuses for a missing or
 * second unary message, unsupported compression, oversized messages, invalid timeouts) follows
 * grpc-js's server, so clients see what they would from a grpc-js service.
 */
import { EventEmitter } from 'node:events';
import type { IncomingHttpHeaders } from 'node:http2';
import { createServer, type Server } from 'node:net';
import { gunzipSync, inflateSync } from 'node:zlib';
import { serveHttp2 } from '../../http2/connection.js';
import { encodeHeaderBlock } from '../../http2/hpack.js';
import type { ServerStream } from '../../http2/stream.js';
import { Code, FirestoreError, toFirestoreError } from '../errors.js';

export type Msg = Record<string, unknown>;

export interface MethodCodec {
  decode(buf: Buffer): Msg;
  encode(msg: Msg): Uint8Array;
}

/** A bidirectional (or client-streaming) call, as the Write and Listen handlers see it. */
export interface StreamCall extends EventEmitter {
  readonly headers: IncomingHttpHeaders;
  write(msg: Msg): void;
  /** Ends the call with status OK. */
  end(): void;
  /** Ends the call with the error's status (FirestoreError code, INTERNAL otherwise). */
  fail(e: unknown): void;
  // Events: 'data' (a decoded request), 'end' (client half-closed), 'cancelled' (the client went
  // away or the deadline passed), 'close' (once, however the call ended).
}

export type GrpcMethod = MethodCodec &
  (
    | { kind: 'unary'; handle(req: Msg, headers: IncomingHttpHeaders): Msg | Promise<Msg> }
    | { kind: 'serverStream'; handle(req: Msg, headers: IncomingHttpHeaders): Promise<Msg[]> }
    | { kind: 'bidi'; handle(call: StreamCall): void }
  );

export interface GrpcServerOptions {
  maxReceiveMessageLength: number;
  maxSendMessageLength: number;
  /** Called once per call, before its handler (the idle collector counts activity with it). */
  onCall?: () => void;
  /** A reason to refuse the call (PERMISSION_DENIED) before it runs, e.g. a foreign `:authority`. */
  refuse?: (headers: IncomingHttpHeaders) => string | undefined;
}

type Fields = [string, string][];

const RESPONSE_HEADERS: Fields = [
  [':status', '200'],
  ['content-type', 'application/grpc+proto'],
];
const OK_TRAILERS: Fields = [['grpc-status', '0']];
// Every call sends these, so they are encoded once.
const RESPONSE_BLOCK = encodeHeaderBlock(RESPONSE_HEADERS);
const OK_TRAILERS_BLOCK = encodeHeaderBlock(OK_TRAILERS);

const TIMEOUT_UNITS: Record<string, number> = { H: 3_600_000, M: 60_000, S: 1000, m: 1, u: 1e-3, n: 1e-6 };

/** grpc-message is percent-encoded: bytes outside printable ASCII, and '%' itself. */
export function encodeGrpcMessage(s: string): string {
  let out = '';
  for (const byte of Buffer.from(s, 'utf8')) {
    out +=
      byte >= 0x20 && byte <= 0x7e && byte !== 0x25
        ? String.fromCharCode(byte)
        : `%${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

function statusTrailers(e: unknown): Fields {
  const err = toFirestoreError(e);
  return [
    ['grpc-status', String(err.code)],
    ['grpc-message', encodeGrpcMessage(err.message)],
  ];
}

function frame(encoded: Uint8Array): Buffer {
  const out = Buffer.allocUnsafe(5 + encoded.length);
  out[0] = 0;
  out.writeUInt32BE(encoded.length, 1);
  out.set(encoded, 5);
  return out;
}

/**
 * One call: parses request frames as they arrive and writes the response. The response headers
 * go out with the first message or, for a call that fails before any, as a trailers-only response.
 */
class Call extends EventEmitter implements StreamCall {
  private buffered: Buffer | null = null;
  private sentHeaders = false;
  private finished = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly encoding: string;

  constructor(
    readonly stream: ServerStream,
    readonly headers: IncomingHttpHeaders,
    private readonly method: GrpcMethod,
    private readonly opts: GrpcServerOptions,
  ) {
    super();
    const enc = headers['grpc-encoding'];
    this.encoding = typeof enc === 'string' ? enc : 'identity';
    stream.on('close', () => {
      if (this.finished) return;
      this.settle();
      this.emit('cancelled');
    });
    const timeout = headers['grpc-timeout'];
    if (typeof timeout === 'string') this.startDeadline(timeout);
  }

  private startDeadline(header: string): void {
    const m = /^(\d{1,8})([HMSmun])$/.exec(header);
    if (!m) {
      this.fail(new FirestoreError(Code.INTERNAL, `Invalid grpc-timeout value "${header}"`));
      return;
    }
    const ms = Number(m[1]) * TIMEOUT_UNITS[m[2]!]!;
    this.timer = setTimeout(
      () => {
        this.emit('cancelled');
        this.fail(new FirestoreError(Code.DEADLINE_EXCEEDED, 'Deadline exceeded'));
      },
      Math.max(0, Math.ceil(ms)),
    );
    this.timer.unref();
  }

  get done(): boolean {
    return this.finished;
  }

  /** Splits `chunk` (plus anything left over) into messages; false once the call has failed. */
  read(chunk: Buffer, onMessage: (m: Msg) => void): boolean {
    let buf = this.buffered ? Buffer.concat([this.buffered, chunk]) : chunk;
    this.buffered = null;
    while (buf.length >= 5) {
      const length = buf.readUInt32BE(1);
      if (length > this.opts.maxReceiveMessageLength) {
        this.fail(
          new FirestoreError(
            Code.RESOURCE_EXHAUSTED,
            `Received message larger than max (${length} vs. ${this.opts.maxReceiveMessageLength})`,
          ),
        );
        return false;
      }
      if (buf.length < 5 + length) break;
      const compressed = buf[0] === 1;
      const body = buf.subarray(5, 5 + length);
      buf = buf.subarray(5 + length);
      let msg: Msg;
      try {
        msg = this.method.decode(compressed ? this.decompress(body) : body);
      } catch (e) {
        this.fail(e);
        return false;
      }
      onMessage(msg);
      if (this.finished) return false;
    }
    if (buf.length > 0) this.buffered = Buffer.from(buf);
    return true;
  }

  /** True when the request ended in the middle of a message. */
  get truncated(): boolean {
    return this.buffered !== null;
  }

  private decompress(body: Buffer): Buffer {
    const maxOutputLength = this.opts.maxReceiveMessageLength;
    try {
      if (this.encoding === 'gzip') return gunzipSync(body, { maxOutputLength });
      if (this.encoding === 'deflate') return inflateSync(body, { maxOutputLength });
    } catch (e) {
      const tooBig = (e as { code?: string }).code === 'ERR_BUFFER_TOO_LARGE';
      throw new FirestoreError(
        tooBig ? Code.RESOURCE_EXHAUSTED : Code.INTERNAL,
        tooBig
          ? `Received message that decompresses to a size larger than ${maxOutputLength}`
          : 'Failed to decompress message',
      );
    }
    throw new FirestoreError(
      Code.UNIMPLEMENTED,
      `Received message compressed with unsupported encoding "${this.encoding}"`,
    );
  }

  write(msg: Msg): void {
    this.writeAll([msg]);
  }

  /** Writes several messages with one stream write (a query's documents). */
  writeAll(msgs: Msg[]): void {
    if (this.finished || msgs.length === 0) return;
    const frames: Buffer[] = [];
    for (const msg of msgs) {
      let encoded: Uint8Array;
      try {
        encoded = this.method.encode(msg);
      } catch (e) {
        this.fail(
          new FirestoreError(Code.INTERNAL, `Error serializing response: ${toFirestoreError(e).message}`),
        );
        return;
      }
      if (encoded.length > this.opts.maxSendMessageLength) {
        this.fail(
          new FirestoreError(
            Code.RESOURCE_EXHAUSTED,
            `Sent message larger than max (${encoded.length} vs. ${this.opts.maxSendMessageLength})`,
          ),
        );
        return;
      }
      frames.push(frame(encoded));
    }
    this.sendHeaders();
    this.stream.write(frames.length === 1 ? frames[0]! : Buffer.concat(frames));
  }

  /** Sends one message and status OK together (unary calls). */
  reply(msg: Msg): void {
    this.write(msg);
    this.end();
  }

  end(): void {
    this.finish(null);
  }

  fail(e: unknown): void {
    this.finish(statusTrailers(e));
  }

  private sendHeaders(): void {
    if (this.sentHeaders) return;
    this.sentHeaders = true;
    this.stream.respond(RESPONSE_BLOCK);
  }

  private settle(): void {
    this.finished = true;
    clearTimeout(this.timer);
    this.emit('close');
  }

  /** Ends the call with `trailers` (null: status OK). */
  private finish(trailers: Fields | null): void {
    if (this.finished) return;
    this.settle();
    const stream = this.stream;
    if (stream.closed) return;
    if (!this.sentHeaders) {
      // Trailers-only response: status and trailers in the one header block.
      this.sentHeaders = true;
      stream.respond(encodeHeaderBlock([...RESPONSE_HEADERS, ...(trailers ?? OK_TRAILERS)]), true);
    } else {
      stream.end(trailers ? encodeHeaderBlock(trailers) : OK_TRAILERS_BLOCK);
    }
  }
}

function runSingle(call: Call, method: GrpcMethod & { kind: 'unary' | 'serverStream' }): void {
  let request: Msg | undefined;
  let extra = false;
  call.stream.on('data', (chunk: Buffer) => {
    if (call.done) return;
    call.read(chunk, (m) => {
      if (request === undefined) request = m;
      else extra = true;
    });
    if (extra) {
      call.fail(
        new FirestoreError(
          Code.UNIMPLEMENTED,
          `Received a second request message for server streaming method ${call.headers[':path']}`,
        ),
      );
    }
  });
  call.stream.on('end', () => {
    if (call.done) return;
    if (request === undefined || call.truncated) {
      call.fail(
        new FirestoreError(
          Code.UNIMPLEMENTED,
          `Received no request message for server streaming method ${call.headers[':path']}`,
        ),
      );
      return;
    }
    const req = request;
    let result: Msg | Promise<Msg> | Promise<Msg[]>;
    try {
      result = method.handle(req, call.headers);
    } catch (e) {
      call.fail(e);
      return;
    }
    if (method.kind === 'unary' && !(result instanceof Promise)) {
      call.reply(result as Msg);
      return;
    }
    (result as Promise<Msg | Msg[]>).then(
      (r) => {
        if (method.kind === 'unary') return call.reply(r as Msg);
        call.writeAll(r as Msg[]);
        call.end();
      },
      (e: unknown) => call.fail(e),
    );
  });
}

function runStreaming(call: Call, method: GrpcMethod & { kind: 'bidi' }): void {
  method.handle(call);
  call.stream.on('data', (chunk: Buffer) => {
    if (!call.done) call.read(chunk, (m) => call.emit('data', m));
  });
  call.stream.on('end', () => {
    if (call.done) return;
    if (call.truncated) {
      call.fail(new FirestoreError(Code.INTERNAL, 'Request stream ended in the middle of a message'));
      return;
    }
    call.emit('end');
  });
}

/**
 * A cleartext HTTP/2 server serving `methods` by path. Listen on it, or hand it connections with
 * `emit('connection', socket)` (the Firestore port does, for connections that start with the
 * HTTP/2 preface).
 */
export function createGrpcServer(methods: Map<string, GrpcMethod>, opts: GrpcServerOptions): Server {
  const onStream = (stream: ServerStream, headers: IncomingHttpHeaders): void => {
    const contentType = headers['content-type'];
    if (typeof contentType !== 'string' || !contentType.startsWith('application/grpc')) {
      stream.respond(UNSUPPORTED_MEDIA_TYPE, true);
      return;
    }
    const refusal = opts.refuse?.(headers);
    if (refusal !== undefined) {
      stream.respond(
        encodeHeaderBlock([
          ...RESPONSE_HEADERS,
          ...statusTrailers(new FirestoreError(Code.PERMISSION_DENIED, refusal)),
        ]),
        true,
      );
      return;
    }
    const path = String(headers[':path'] ?? '');
    const method = methods.get(path);
    if (!method) {
      stream.respond(
        encodeHeaderBlock([
          ...RESPONSE_HEADERS,
          ...statusTrailers(
            new FirestoreError(Code.UNIMPLEMENTED, `The server does not implement the method ${path}`),
          ),
        ]),
        true,
      );
      return;
    }
    opts.onCall?.();
    const call = new Call(stream, headers, method, opts);
    if (call.done) return;
    if (method.kind === 'bidi') runStreaming(call, method);
    else runSingle(call, method);
  };
  return createServer({ noDelay: true }, (socket) => serveHttp2(socket, onStream));
}

const UNSUPPORTED_MEDIA_TYPE = encodeHeaderBlock([[':status', '415']]);
