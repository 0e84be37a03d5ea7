/**
 * One WebChannel session: numbered outgoing messages, the one back channel currently attached
 * (long-polling or streaming), retransmission of what the client has not acknowledged (`AID`),
 * and the bounds that keep a session's memory finite.
 */
import type { ServerResponse } from 'node:http';
import { RawJson } from './raw-json.js';

export interface SessionLimits {
  /** Close a session that had no request and no back channel for this long. */
  idleMs: number;
  /** A long poll with nothing to say ends with a noop after this long; streams get a noop this often. */
  noopMs: number;
  /**
   * Characters of messages kept for the client (queued, or sent but not acknowledged). Beyond it
   * the session is dropped: the client's next request gets "Unknown SID" and it reconnects,
   * resuming its targets, which is cheaper for both sides than an unbounded buffer.
   */
  maxBufferedChars: number;
  /**
   * Characters of sent but unacknowledged messages kept for a resend. A streaming back channel is
   * acknowledged only by the client's next request, so without this window a busy listener would
   * hold everything it was ever sent.
   */
  retainSentChars: number;
  /**
   * Sent messages younger than this are kept whatever their size: the SDK retries a back channel
   * that failed while a large result was arriving with its last acknowledged id (often 0), and
   * must get the result again rather than "Unknown SID" (maxBufferedChars still bounds them).
   */
  retainSentMs: number;
  /** ...and up to this many characters: a busy stream sends more in 10 s than a result is large. */
  retainRecentChars: number;
  /**
   * Bytes a back channel's socket may hold unsent before we stop writing to it until it drains: a
   * client that reads slowly keeps its messages in the session buffer, where maxBufferedChars
   * bounds them, instead of in Node's socket buffer, which nothing bounds.
   */
  maxSocketBacklog: number;
}

/** Characters buffered by all sessions of a server together, against a cap. */
export interface BufferBudget {
  used: number;
  max: number;
}

export const DEFAULT_LIMITS: SessionLimits = {
  idleMs: 60_000,
  noopMs: 25_000,
  maxBufferedChars: 8 * 1024 * 1024,
  // Listen-only streams never acknowledge, so this is held by every listener: 64 KiB x 500
  // sessions = 32 MiB at most. Losing it costs a client only a reconnect with its resume tokens.
  retainSentChars: 64 * 1024,
  retainSentMs: 10_000,
  retainRecentChars: 1024 * 1024,
  maxSocketBacklog: 256 * 1024,
};

/** The RPC behind a channel (Listen or Write). */
export interface ChannelStream {
  /** Handles one client message (already JSON-parsed). */
  receive(msg: unknown): void;
  close(): void;
}

/**
 * Messages kept for the client, oldest first, as parallel arrays from `head`: with a hundred busy
 * listeners an object per message survived the young generation (messages stay for a resend) and
 * copying them was most of the garbage collector's work. Ids are consecutive from `firstId`.
 */
class MessageQueue {
  firstId = 1;
  private head = 0;
  private readonly jsons: (RawJson | undefined)[] = [];
  /** UTF-16 length of `[id,[json]]`. */
  private readonly unitsOf: number[] = [];
  /** When it was written to a back channel (0: not yet). */
  private readonly sentAtOf: number[] = [];

  get length(): number {
    return this.jsons.length - this.head;
  }

  push(json: RawJson, units: number): void {
    this.jsons.push(json);
    this.unitsOf.push(units);
    this.sentAtOf.push(0);
  }

  json(i: number): RawJson {
    return this.jsons[this.head + i]!;
  }

  units(i: number): number {
    return this.unitsOf[this.head + i]!;
  }

  sentAt(i: number): number {
    return this.sentAtOf[this.head + i]!;
  }

  markSent(i: number, at: number): void {
    this.sentAtOf[this.head + i] = at;
  }

  /** Drops the first `n` messages. */
  shift(n: number): void {
    if (n <= 0) return;
    for (let i = this.head; i < this.head + n; i++) this.jsons[i] = undefined;
    this.head += n;
    this.firstId += n;
    // Compact once the dropped prefix outweighs what is kept, so a long stream stays O(kept).
    if (this.head > 1024 && this.head * 2 > this.jsons.length) {
      this.jsons.splice(0, this.head);
      this.unitsOf.splice(0, this.head);
      this.sentAtOf.splice(0, this.head);
      this.head = 0;
    }
  }

  clear(): void {
    this.firstId += this.length;
    this.jsons.length = 0;
    this.unitsOf.length = 0;
    this.sentAtOf.length = 0;
    this.head = 0;
  }
}

/**
 * Frame buffers handed back once their bytes reached the socket, for the next flush of any
 * session: a busy listener's frame is one buffer and one socket write, without allocating per
 * flush (a buffer per flush, or a write per message, cost more than the fan-out itself).
 */
const framePool: Buffer[] = [];
let framePoolBytes = 0;
const FRAME_POOL_MAX_BYTES = 16 * 1024 * 1024;
const FRAME_BUFFER_MIN = 64 * 1024;
const FRAME_BUFFER_MAX = 1024 * 1024;

function frameBuffer(size: number): Buffer {
  for (let i = framePool.length - 1; i >= 0; i--) {
    const b = framePool[i]!;
    if (b.length < size) continue;
    framePool[i] = framePool[framePool.length - 1]!;
    framePool.pop();
    framePoolBytes -= b.length;
    return b;
  }
  return Buffer.allocUnsafeSlow(Math.max(size, FRAME_BUFFER_MIN));
}

function releaseFrameBuffer(b: Buffer): void {
  if (b.length > FRAME_BUFFER_MAX || framePoolBytes + b.length > FRAME_POOL_MAX_BYTES) return;
  framePool.push(b);
  framePoolBytes += b.length;
}

const COMMA = 0x2c;
const OPEN = 0x5b;
const CLOSE = 0x5d;

/** Writes one back-channel frame, `<length>\n[[id,[json]],…]`, for messages `from`… of `queue`. */
function writeFrame(res: ServerResponse, queue: MessageQueue, from: number): void {
  const end = queue.length;
  let units = 2 + (end - from) - 1;
  let bytes = 0;
  for (let i = from; i < end; i++) {
    units += queue.units(i);
    // `[id,[` + json + `]]` and a comma; ids are ASCII, so their units are their bytes.
    bytes += queue.units(i) - queue.json(i).units + queue.json(i).byteLength + 1;
  }
  const header = `${units}\n[`;
  const buf = frameBuffer(header.length + bytes + 1);
  let at = buf.write(header, 0, 'latin1');
  for (let i = from; i < end; i++) {
    if (i > from) buf[at++] = COMMA;
    buf[at++] = OPEN;
    at += buf.write(String(queue.firstId + i), at, 'latin1');
    buf[at++] = COMMA;
    buf[at++] = OPEN;
    for (const p of queue.json(i).parts) {
      at += typeof p === 'string' ? buf.write(p, at, 'utf8') : p.bytes.copy(buf, at);
    }
    buf[at++] = CLOSE;
    buf[at++] = CLOSE;
  }
  buf[at++] = CLOSE;
  // The callback comes once the bytes are in the socket (or the write failed): then it is free.
  res.write(buf.subarray(0, at), () => releaseFrameBuffer(buf));
}

interface BackChannel {
  res: ServerResponse;
  /** CI=1: the response ends after the first batch (long polling). */
  longPoll: boolean;
  timer: NodeJS.Timeout | undefined;
}

export class WebChannelSession {
  /** Array ids start at 1; 0 is the "c" (created) message of the handshake. */
  private nextArrayId = 1;
  /** Messages not yet acknowledged by the client, in id order; `sentUpTo` marks what went out. */
  private readonly buffer = new MessageQueue();
  private bufferedChars = 0;
  /** Characters of the messages in `buffer` that were sent (ids up to `sentUpTo`). */
  private sentChars = 0;
  private sentUpTo = 0;
  /** Sent messages up to this id were dropped unacknowledged (see retainSentChars). */
  private forgottenUpTo = 0;
  private back: BackChannel | undefined;
  private flushScheduled = false;
  /** Next forward message id expected; lower ids are retransmissions and skipped. */
  nextMapId = 0;
  lastActive = Date.now();
  closed = false;
  stream: ChannelStream | undefined;

  constructor(
    readonly sid: string,
    private readonly limits: SessionLimits,
    private readonly onClose: (s: WebChannelSession) => void,
    private readonly budget: BufferBudget = { used: 0, max: Number.POSITIVE_INFINITY },
  ) {}

  private adjust(delta: number): void {
    this.bufferedChars += delta;
    this.budget.used += delta;
  }

  /** Queues one message for the client (a ListenResponse, WriteResponse or error). */
  send(payload: unknown): void {
    if (this.closed) return;
    const json = payload instanceof RawJson ? payload : new RawJson([JSON.stringify(payload)]);
    const id = this.nextArrayId++;
    // `[id,[payload]]`
    const units = json.units + String(id).length + 5;
    this.buffer.push(json, units);
    this.adjust(units);
    // The session whose message passes either cap is dropped; its client reconnects and resumes.
    if (this.bufferedChars > this.limits.maxBufferedChars || this.budget.used > this.budget.max) {
      this.close();
      return;
    }
    this.scheduleFlush();
  }

  get lastArrayId(): number {
    return this.nextArrayId - 1;
  }

  get hasBackChannel(): boolean {
    return this.back !== undefined;
  }

  /** Characters queued but not yet written to a back channel. */
  get outstandingChars(): number {
    return this.bufferedChars - this.sentChars;
  }

  /** Index in `buffer` of the first message not yet sent (ids in the buffer are consecutive). */
  private firstUnsent(): number {
    return Math.max(0, this.sentUpTo - this.buffer.firstId + 1);
  }

  /** Drops messages the client has received (`AID`). */
  acknowledge(aid: number): void {
    const q = this.buffer;
    const drop = Math.min(q.length, Math.max(0, aid - q.firstId + 1));
    for (let i = 0; i < drop; i++) {
      this.adjust(-q.units(i));
      if (q.firstId + i <= this.sentUpTo) this.sentChars -= q.units(i);
    }
    q.shift(drop);
  }

  /**
   * Attaches a back channel. Everything after `aid` is (re)sent: a client that reconnects its back
   * channel after a network error gets what it missed.
   */
  attachBackChannel(res: ServerResponse, aid: number, longPoll: boolean): boolean {
    if (aid < this.forgottenUpTo) {
      // What the client missed is gone: end the session so that it reconnects and resumes.
      this.close();
      return false;
    }
    this.touch();
    this.acknowledge(aid);
    // Everything after `aid` goes out again.
    if (aid < this.sentUpTo) {
      for (let i = 0; i < this.firstUnsent(); i++) this.sentChars -= this.buffer.units(i);
      this.sentUpTo = aid;
    }
    this.detachBackChannel(true);
    const back: BackChannel = { res, longPoll, timer: undefined };
    this.back = back;
    res.on('close', () => {
      if (this.back === back) this.detachBackChannel(false);
    });
    res.on('drain', () => {
      if (this.back === back) this.flush();
    });
    this.armNoop(back);
    this.flush();
    return true;
  }

  touch(): void {
    this.lastActive = Date.now();
  }

  /** True when the session has been idle past its limit (no request, no back channel). */
  isIdle(now: number): boolean {
    return this.back === undefined && now - this.lastActive > this.limits.idleMs;
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.stream?.close();
    this.stream = undefined;
    this.detachBackChannel(true);
    this.buffer.clear();
    this.sentChars = 0;
    this.adjust(-this.bufferedChars);
    this.onClose(this);
  }

  private armNoop(back: BackChannel): void {
    if (back.timer) clearTimeout(back.timer);
    back.timer = setTimeout(() => {
      if (this.back !== back) return;
      // Keeps the client's 45 s back-channel watchdog quiet and lets a long poll end.
      this.send('noop');
    }, this.limits.noopMs);
    back.timer.unref();
  }

  private detachBackChannel(end: boolean): void {
    const back = this.back;
    if (!back) return;
    this.back = undefined;
    if (back.timer) clearTimeout(back.timer);
    this.touch();
    if (end && !back.res.writableEnded) back.res.end();
  }

  private forgetOldSent(): void {
    const recent = Date.now() - this.limits.retainSentMs;
    const q = this.buffer;
    let drop = 0;
    while (this.sentChars > this.limits.retainSentChars && drop < q.length) {
      const id = q.firstId + drop;
      if (id > this.sentUpTo) break;
      if (q.sentAt(drop) > recent && this.sentChars <= this.limits.retainRecentChars) break;
      this.sentChars -= q.units(drop);
      this.adjust(-q.units(drop));
      this.forgottenUpTo = id;
      drop++;
    }
    q.shift(drop);
  }

  private scheduleFlush(): void {
    if (this.flushScheduled || !this.back) return;
    this.flushScheduled = true;
    // Messages produced by one request or one commit go out as one chunk (one long-poll answer).
    setImmediate(() => {
      this.flushScheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    const back = this.back;
    if (!back || this.closed) return;
    // A slow reader: wait for 'drain' (attachBackChannel) before writing more.
    if (back.res.writableLength > this.limits.maxSocketBacklog) return;
    const from = this.firstUnsent();
    if (from >= this.buffer.length) return;
    const q = this.buffer;
    this.sentUpTo = q.firstId + q.length - 1;
    const now = Date.now();
    for (let i = from; i < q.length; i++) {
      q.markSent(i, now);
      this.sentChars += q.units(i);
    }
    writeFrame(back.res, q, from);
    this.forgetOldSent();
    if (back.longPoll) this.detachBackChannel(true);
    else this.armNoop(back);
  }
}
