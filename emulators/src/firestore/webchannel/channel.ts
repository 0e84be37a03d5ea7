/**
 * HTTP endpoints `/google.firestore.v1.Firestore/{Listen,Write}/channel`, where the browser's full
 * SDK opens its WebChannel streams (same port as REST). Requests, as the SDK sends them and as
 * Google's emulator answers them:
 *
 * - create: `POST …/channel?VER=8&RID=n&CVER=22&X-HTTP-Session-Id=gsessionid` with the first
 *   messages; answered with `[[0,["c",SID,"",8,12,30000]]]` and the response ends.
 * - forward: `POST …?SID=…&RID=n&AID=a` with messages; answered `[backChannelPresent, lastArrayId,
 *   outstanding]`.
 * - back channel: `GET …?SID=…&RID=rpc&AID=a&CI=0|1&TYPE=xmlhttp`; CI=1 (long polling) ends after
 *   one batch, CI=0 streams.
 * - `TYPE=terminate` closes the session; an unknown SID answers 400 "Unknown SID", which the client
 *   reports as a channel error, and the SDK opens a new stream.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Caller, callerFromHeader } from '../auth.js';
import type { FirestoreEmulatorCore } from '../emulator.js';
import { invalid, toFirestoreError } from '../errors.js';
import { corsHeaders } from '../rest/http.js';
import { frame, parseForwardBody, parseHeaderBlock } from './framing.js';
import { type BufferBudget, DEFAULT_LIMITS, type SessionLimits, WebChannelSession } from './session.js';
import { errorPayload, listenStream, writeStream } from './streams.js';

export const CHANNEL_PATH = /^\/google\.firestore\.v1\.Firestore\/(Listen|Write)\/channel$/;

export interface ChannelOptions extends SessionLimits {
  /** Bodies larger than this answer 413. */
  maxBodyBytes: number;
  /** Sessions beyond this answer 429 until some close. */
  maxSessions: number;
  /** Unread characters of all sessions together (each is also capped by maxBufferedChars). */
  maxTotalBufferedChars: number;
}

export const DEFAULT_CHANNEL_OPTIONS: ChannelOptions = {
  ...DEFAULT_LIMITS,
  maxBodyBytes: 11 * 1024 * 1024,
  maxSessions: 5_000,
  maxTotalBufferedChars: 256 * 1024 * 1024,
};

class HttpFailure extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const servers = new WeakMap<FirestoreEmulatorCore, WebChannelServer>();

/** The emulator's WebChannel endpoint (one per core, made on first use). */
export function channelServerOf(core: FirestoreEmulatorCore): WebChannelServer {
  let s = servers.get(core);
  if (!s) {
    s = new WebChannelServer(core);
    servers.set(core, s);
  }
  return s;
}

export class WebChannelServer {
  private readonly sessions = new Map<string, WebChannelSession>();
  private readonly budget: BufferBudget = { used: 0, max: 0 };
  private sweeper: NodeJS.Timeout | undefined;
  options: ChannelOptions;

  constructor(
    private readonly core: FirestoreEmulatorCore,
    options: Partial<ChannelOptions> = {},
  ) {
    this.options = { ...DEFAULT_CHANNEL_OPTIONS, ...options };
  }

  /** Changes limits for sessions created from now on (tests use short timeouts). */
  configure(options: Partial<ChannelOptions>): void {
    this.options = { ...this.options, ...options };
    this.stopSweeper();
    if (this.sessions.size) this.startSweeper();
  }

  /** Characters buffered by all sessions (for tests). */
  get bufferedChars(): number {
    return this.budget.used;
  }

  /** Open sessions (for tests and the memory bench). */
  get liveSessions(): number {
    return this.sessions.size;
  }

  closeAll(): void {
    for (const s of [...this.sessions.values()]) s.close();
  }

  handle(req: IncomingMessage, res: ServerResponse, rpc: 'Listen' | 'Write', url: URL): void {
    this.serve(req, res, rpc, url).catch((e: unknown) => {
      if (e instanceof HttpFailure) return fail(req, res, e.status, e.message);
      const err = toFirestoreError(e);
      fail(req, res, err.httpStatus, err.message);
    });
  }

  private async serve(req: IncomingMessage, res: ServerResponse, rpc: 'Listen' | 'Write', url: URL) {
    const q = url.searchParams;
    const method = req.method ?? 'GET';
    if (method !== 'GET' && method !== 'POST') throw new HttpFailure(405, `Method ${method} not allowed.`);
    const ver = q.get('VER');
    const sid = q.get('SID');
    const type = q.get('TYPE');
    if (type === 'terminate') {
      // sendBeacon POSTs carry an empty body; nothing to read beyond a bounded drain.
      await readBody(req, this.options.maxBodyBytes);
      if (sid) this.sessions.get(sid)?.close();
      res.writeHead(200, channelHeaders(req));
      res.end();
      return;
    }
    if (sid === null || sid === 'null') {
      if (ver !== '8') throw new HttpFailure(400, 'Unsupported WebChannel version (expected VER=8).');
      // Sessions are created by POST only (Google's emulator: GET without SID answers 400).
      if (method !== 'POST') throw new HttpFailure(400, 'A WebChannel session is created by POST.');
      const fast = q.get('$req');
      const body = fast ?? (await readBody(req, this.options.maxBodyBytes));
      return this.create(req, res, rpc, q, body);
    }
    const session = this.sessions.get(sid);
    if (!session || session.closed) {
      if (method === 'POST') await readBody(req, this.options.maxBodyBytes);
      // The client looks for "Unknown SID" after the first character (closure's ChannelRequest).
      throw new HttpFailure(400, 'Error: Unknown SID');
    }
    const aid = parseAid(q.get('AID'));
    if (type === 'xmlhttp' && method === 'GET') {
      res.writeHead(200, { ...channelHeaders(req), 'cache-control': 'no-store' });
      res.flushHeaders();
      if (!session.attachBackChannel(res, aid, q.get('CI') !== '0')) res.end();
      return;
    }
    if (method !== 'POST') throw new HttpFailure(400, 'Unsupported WebChannel request.');
    const text = await readBody(req, this.options.maxBodyBytes);
    if (session.closed) throw new HttpFailure(400, 'Error: Unknown SID');
    session.touch();
    if (aid >= 0) session.acknowledge(aid);
    this.deliver(session, text);
    const answer = JSON.stringify([
      session.hasBackChannel ? 1 : 0,
      session.lastArrayId,
      session.outstandingChars,
    ]);
    res.writeHead(200, channelHeaders(req));
    res.end(frame(answer));
  }

  private create(
    req: IncomingMessage,
    res: ServerResponse,
    rpc: 'Listen' | 'Write',
    q: URLSearchParams,
    body: string,
  ): void {
    if (this.sessions.size >= this.options.maxSessions) {
      throw new HttpFailure(429, `Too many open WebChannel sessions (${this.options.maxSessions}).`);
    }
    const forward = parseForwardBody(body);
    // Per-channel headers: the SDK encodes Authorization etc. in the body (encodeInitMessageHeaders);
    // closure can also put them in `$httpHeaders`; real request headers come last.
    const headers = { ...parseHeaderBlock(q.get('$httpHeaders') ?? ''), ...forward.headers };
    let caller: Caller | undefined;
    let refused: unknown;
    try {
      caller = callerFromHeader(headers['authorization'] ?? req.headers.authorization);
    } catch (e) {
      refused = e;
    }
    const sid = randomBytes(16).toString('base64url');
    this.budget.max = this.options.maxTotalBufferedChars;
    const session = new WebChannelSession(
      sid,
      this.options,
      (s) => {
        this.sessions.delete(s.sid);
        if (this.sessions.size === 0) this.stopSweeper();
      },
      this.budget,
    );
    const send = (p: unknown) => session.send(p);
    if (caller) {
      session.stream =
        rpc === 'Listen' ? listenStream(this.core, caller, send) : writeStream(this.core, caller, send);
    }
    this.sessions.set(sid, session);
    this.startSweeper();
    const h = channelHeaders(req);
    if (q.get('X-HTTP-Session-Id')) h['x-http-session-id'] = sid;
    res.writeHead(200, h);
    // The handshake answer must precede the answers to the messages it carried (ids 1…).
    res.end(frame(JSON.stringify([[0, ['c', sid, '', 8, 12, 30000]]])));
    // A bad Authorization ends the stream in-band, so the SDK reports unauthenticated.
    if (refused !== undefined) session.send(errorPayload(toFirestoreError(refused)));
    else this.deliver(session, forward);
  }

  private deliver(session: WebChannelSession, body: string | ReturnType<typeof parseForwardBody>): void {
    const forward = typeof body === 'string' ? parseForwardBody(body) : body;
    for (let i = 0; i < forward.data.length; i++) {
      const id = forward.offset + i;
      // A retried forward request repeats messages already handled.
      if (id < session.nextMapId) continue;
      session.nextMapId = id + 1;
      let msg: unknown;
      try {
        msg = JSON.parse(forward.data[i]!);
      } catch {
        session.send(errorPayload(invalid('Invalid JSON in WebChannel message.')));
        continue;
      }
      session.stream?.receive(msg);
    }
  }

  private startSweeper(): void {
    if (this.sweeper) return;
    const every = Math.max(50, Math.min(10_000, Math.floor(this.options.idleMs / 2)));
    this.sweeper = setInterval(() => {
      const now = Date.now();
      for (const s of [...this.sessions.values()]) if (s.isIdle(now)) s.close();
    }, every);
    this.sweeper.unref();
  }

  private stopSweeper(): void {
    if (this.sweeper) clearInterval(this.sweeper);
    this.sweeper = undefined;
  }
}

function parseAid(raw: string | null): number {
  if (raw === null || raw === '') return -1;
  if (!/^\d{1,15}$/.test(raw)) throw new HttpFailure(400, 'Malformed WebChannel request: bad AID.');
  return Number(raw);
}

function channelHeaders(req: IncomingMessage): Record<string, string> {
  return {
    'content-type': 'text/plain; charset=utf-8',
    'x-content-type-options': 'nosniff',
    ...corsHeaders(req),
  };
}

function fail(req: IncomingMessage, res: ServerResponse, status: number, message: string): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.writeHead(status, { ...channelHeaders(req), connection: status === 413 ? 'close' : 'keep-alive' });
  res.end(`${message}\n`);
}

function readBody(req: IncomingMessage, max: number): Promise<string> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > max) {
    req.resume();
    return Promise.reject(new HttpFailure(413, `Request body exceeds ${max} bytes.`));
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (c: Buffer) => {
      if (failed) return;
      size += c.length;
      if (size > max) {
        failed = true;
        reject(new HttpFailure(413, `Request body exceeds ${max} bytes.`));
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => {
      if (!failed) resolve(Buffer.concat(chunks).toString('utf8'));
    });
    req.on('error', (e) => {
      if (!failed) reject(e);
    });
  });
}
