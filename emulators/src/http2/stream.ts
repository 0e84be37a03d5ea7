/**
 * One server-side HTTP/2 stream (RFC 9113 §5.1): request bytes in, response header blocks and DATA
 * out, within the peer's flow-control windows (§5.2, §6.9).
 */
import { EventEmitter } from 'node:events';
import { ErrorCode, Flag, frameHeader, FrameType, rstFrame } from './frames.js';

/** What a stream needs from its connection. */
export interface StreamHost {
  readonly peerMaxFrameSize: number;
  /** Bytes the peer's connection-level window still admits. */
  connectionWindow: number;
  queue(...frames: Buffer[]): void;
  forget(stream: ServerStream): void;
}

/**
 * Events: 'data' (Buffer), 'end' (the request is complete), 'close' (once; `aborted` tells whether
 * the peer reset it or the connection went away before the response ended).
 */
export class ServerStream extends EventEmitter {
  sendWindow: number;
  /** Bytes of request DATA the peer may still send before we grant more. */
  recvWindow: number;
  /** Consumed request bytes not yet granted back with WINDOW_UPDATE. */
  unacked = 0;
  remoteEnded = false;
  private localEnded = false;
  private isClosed = false;
  aborted = false;
  private pending: Buffer[] = [];
  private pendingTrailers: Buffer | null = null;

  constructor(
    readonly id: number,
    private readonly host: StreamHost,
    initialSendWindow: number,
    initialRecvWindow: number,
  ) {
    super();
    this.sendWindow = initialSendWindow;
    this.recvWindow = initialRecvWindow;
  }

  get closed(): boolean {
    return this.isClosed;
  }

  /** Sends a response header block; `endStream` makes it the whole response (e.g. trailers-only). */
  respond(block: Buffer, endStream = false): void {
    if (this.localEnded || this.isClosed) return;
    this.headerFrames(block, endStream);
    if (endStream) this.endedLocally();
  }

  /** Queues response bytes; they go out as the peer's windows allow. */
  write(data: Buffer): void {
    if (this.localEnded || this.isClosed || data.length === 0) return;
    this.pending.push(data);
    this.flush();
  }

  /** Ends the response with a trailer block, after any queued data. */
  end(trailers: Buffer): void {
    if (this.localEnded || this.isClosed) return;
    this.pendingTrailers = trailers;
    this.flush();
  }

  /** Abandons the stream (RST_STREAM). */
  reset(code: ErrorCode = ErrorCode.CANCEL): void {
    if (this.isClosed) return;
    this.host.queue(rstFrame(this.id, code));
    this.close(code !== ErrorCode.NO_ERROR);
  }

  /** Sends what the windows allow; called again when the peer grants more (WINDOW_UPDATE). */
  flush(): void {
    while (this.pending.length > 0) {
      const allowed = Math.min(this.sendWindow, this.host.connectionWindow, this.host.peerMaxFrameSize);
      if (allowed <= 0) return;
      const head = this.pending[0]!;
      const chunk = head.length <= allowed ? head : head.subarray(0, allowed);
      if (chunk === head) this.pending.shift();
      else this.pending[0] = head.subarray(allowed);
      this.sendWindow -= chunk.length;
      this.host.connectionWindow -= chunk.length;
      this.host.queue(frameHeader(chunk.length, FrameType.DATA, 0, this.id), chunk);
    }
    if (this.pendingTrailers) {
      const block = this.pendingTrailers;
      this.pendingTrailers = null;
      this.headerFrames(block, true);
      this.endedLocally();
    }
  }

  get hasPendingData(): boolean {
    return this.pending.length > 0;
  }

  /** The peer finished the request (END_STREAM). */
  endedRemotely(): void {
    if (this.remoteEnded) return;
    this.remoteEnded = true;
    this.emit('end');
    if (this.localEnded) this.close(false);
  }

  /** The connection is gone, or the peer reset the stream. */
  close(aborted: boolean): void {
    if (this.isClosed) return;
    this.isClosed = true;
    this.aborted = aborted;
    this.pending = [];
    this.pendingTrailers = null;
    this.host.forget(this);
    this.emit('close');
  }

  private endedLocally(): void {
    this.localEnded = true;
    // The response is complete while the request is not: ask the client to stop sending without
    // an error (RFC 9113 §8.1), as a gRPC server does when it fails a call early.
    if (!this.remoteEnded) this.host.queue(rstFrame(this.id, ErrorCode.NO_ERROR));
    this.close(false);
  }

  private headerFrames(block: Buffer, endStream: boolean): void {
    const max = this.host.peerMaxFrameSize;
    const end = endStream ? Flag.END_STREAM : 0;
    if (block.length <= max) {
      this.host.queue(frameHeader(block.length, FrameType.HEADERS, end | Flag.END_HEADERS, this.id), block);
      return;
    }
    for (let off = 0; off < block.length; off += max) {
      const part = block.subarray(off, off + max);
      const last = off + max >= block.length;
      const type = off === 0 ? FrameType.HEADERS : FrameType.CONTINUATION;
      const flags = (off === 0 ? end : 0) | (last ? Flag.END_HEADERS : 0);
      this.host.queue(frameHeader(part.length, type, flags, this.id), part);
    }
  }
}
