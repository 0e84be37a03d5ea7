/**
 * Resumable upload sessions, shared by the Firebase protocol (`X-Goog-Upload-*` commands) and the
 * GCS protocol (`uploadType=resumable` + `Content-Range`). A session owns a BlobWriter in the
 * temp directory; nothing becomes visible until finalize succeeds. Finished sessions are kept a
 * while so that status queries and retried finalize requests get the same answer, then swept.
 *
 * Open sessions hold temp-file bytes for up to an hour, so their number (overall and per caller)
 * and the bytes they buffer are capped (UploadLimits); finishing, cancelling or expiring frees them.
 */
import { randomUUID } from 'node:crypto';
import type { Caller } from './auth.js';
import type { BlobWriter } from './blob-writer.js';
import { HttpError } from './errors.js';
import type { MetadataPatch, ObjectMetadata } from './metadata.js';
import type { Preconditions } from './preconditions.js';

/** Largest body one chunk request may carry (the web SDK's chunks grow to 8 MiB). */
export const MAX_CHUNK_BYTES = 64 * 1024 * 1024;
/** Largest object accepted (GCS allows 5 TiB; an emulator on a developer disk does not need that). */
export const MAX_OBJECT_BYTES = 5 * 1024 * 1024 * 1024;

const IDLE_ACTIVE_MS = 60 * 60 * 1000;
const KEEP_FINISHED_MS = 10 * 60 * 1000;

export interface UploadLimits {
  /** Open (started, not yet finished, cancelled or expired) sessions of all callers together. */
  maxSessions: number;
  /** Open sessions of one caller: one uid, all unauthenticated callers together, or the admin. */
  maxSessionsPerCaller: number;
  /** Bytes received by open sessions, all together; also the largest resumable upload. */
  maxBufferedBytes: number;
}

export const DEFAULT_UPLOAD_LIMITS: Readonly<UploadLimits> = {
  maxSessions: 1000,
  maxSessionsPerCaller: 100,
  maxBufferedBytes: 2 * 1024 * 1024 * 1024,
};

/**
 * A cap was reached. 429: the web SDK (@firebase/storage `isRetryStatusCode`: 408, 429, 5xx) and
 * @google-cloud/storage retry it with backoff, and the condition does clear as other uploads finish
 * or expire. Neither client loops forever: the web SDK gives up after `maxUploadRetryTime`
 * (10 min by default) with `storage/retry-limit-exceeded`, @google-cloud/storage after its
 * `retryOptions` (3 retries). 503 would read as "emulator down"; the caps are the caller's load.
 */
export class UploadLimitError extends HttpError {
  constructor(message: string) {
    super(429, message);
  }
}

export interface UploadSession {
  readonly id: string;
  readonly bucket: string;
  readonly name: string;
  readonly patch: MetadataPatch;
  readonly caller: Caller;
  /** From `X-Goog-Upload-Header-Content-Length` / `X-Upload-Content-Length`, when sent. */
  readonly declaredSize: number | undefined;
  readonly dataContentType: string | undefined;
  /** GCS preconditions given when the upload started; checked again at finalize. */
  readonly preconditions?: Preconditions | undefined;
  readonly writer: BlobWriter;
  state: 'active' | 'finalizing' | 'final' | 'failed' | 'cancelled';
  result?: ObjectMetadata;
  failure?: HttpError;
  touched: number;
}

interface Slot {
  callerKey: string;
  /** Bytes this session has counted against `maxBufferedBytes`. */
  bytes: number;
}

export class UploadSessions {
  private readonly sessions = new Map<string, UploadSession>();
  private readonly timer: NodeJS.Timeout;
  readonly limits: Readonly<UploadLimits>;
  /** Open sessions by id; a session leaves when it finishes, is cancelled or expires. */
  private readonly open = new Map<string, Slot>();
  private readonly openPerCaller = new Map<string, number>();
  private buffered = 0;

  constructor(limits: Partial<UploadLimits> = {}) {
    this.limits = { ...DEFAULT_UPLOAD_LIMITS, ...definedOnly(limits) };
    for (const [name, value] of Object.entries(this.limits)) {
      if (!Number.isSafeInteger(value) || value < 0)
        throw new RangeError(`uploadLimits.${name} must be a non-negative integer.`);
    }
    this.timer = setInterval(() => void this.sweep(Date.now()), 60_000);
    this.timer.unref();
  }

  /** Throws UploadLimitError (429) when a session cap is reached, 413 for a declared size beyond the byte cap. */
  create(init: Omit<UploadSession, 'id' | 'state' | 'touched'>): UploadSession {
    const { maxSessions, maxSessionsPerCaller, maxBufferedBytes } = this.limits;
    if (init.declaredSize !== undefined && init.declaredSize > maxBufferedBytes) {
      throw new HttpError(
        413,
        `Resumable uploads are limited to ${maxBufferedBytes} bytes in this emulator.`,
      );
    }
    const callerKey = keyOf(init.caller);
    const mine = this.openPerCaller.get(callerKey) ?? 0;
    if (mine >= maxSessionsPerCaller) {
      throw new UploadLimitError(
        `Too many open resumable uploads for this caller (limit ${maxSessionsPerCaller}); finish or cancel some first.`,
      );
    }
    if (this.open.size >= maxSessions) {
      throw new UploadLimitError(
        `Too many open resumable uploads in the Storage emulator (limit ${maxSessions}); try again later.`,
      );
    }
    const session: UploadSession = {
      ...init,
      id: randomUUID(),
      state: 'active',
      touched: Date.now(),
    };
    this.sessions.set(session.id, session);
    this.open.set(session.id, { callerKey, bytes: 0 });
    this.openPerCaller.set(callerKey, mine + 1);
    return session;
  }

  get(id: string): UploadSession | undefined {
    const s = this.sessions.get(id);
    if (s) s.touched = Date.now();
    return s;
  }

  /**
   * `session.writer.append` with the bytes counted against `maxBufferedBytes` as they arrive, so
   * concurrent chunks cannot overshoot it together. A failed append rolls the file back, and the count.
   */
  async append(session: UploadSession, source: AsyncIterable<Uint8Array>, maxBytes: number): Promise<number> {
    const slot = this.open.get(session.id);
    if (!slot) throw new HttpError(400, 'Upload is no longer active.');
    const before = slot.bytes;
    try {
      return await session.writer.append(this.meter(session.id, slot, source), maxBytes);
    } catch (err) {
      // A session released meanwhile (cancel, sweep) already gave its bytes back.
      if (this.open.get(session.id) === slot) {
        this.buffered -= slot.bytes - before;
        slot.bytes = before;
      }
      throw err;
    }
  }

  private async *meter(
    id: string,
    slot: Slot,
    source: AsyncIterable<Uint8Array>,
  ): AsyncGenerator<Uint8Array> {
    for await (const chunk of source) {
      if (this.open.get(id) !== slot) throw new HttpError(400, 'Upload is no longer active.');
      if (this.buffered + chunk.length > this.limits.maxBufferedBytes) {
        throw new UploadLimitError(
          `The Storage emulator already holds ${this.limits.maxBufferedBytes} bytes of unfinished uploads, its limit; try again later.`,
        );
      }
      this.buffered += chunk.length;
      slot.bytes += chunk.length;
      yield chunk;
    }
  }

  /** Frees the session's slot and buffered bytes; called once it is finished, failed or cancelled. */
  release(session: UploadSession): void {
    const slot = this.open.get(session.id);
    if (!slot) return;
    this.open.delete(session.id);
    this.buffered -= slot.bytes;
    const left = (this.openPerCaller.get(slot.callerKey) ?? 1) - 1;
    if (left > 0) this.openPerCaller.set(slot.callerKey, left);
    else this.openPerCaller.delete(slot.callerKey);
  }

  async cancel(session: UploadSession): Promise<void> {
    session.state = 'cancelled';
    this.release(session);
    await session.writer.discard();
  }

  /** Drop idle sessions and their temp files; finished ones only after a grace period. */
  async sweep(now: number): Promise<void> {
    for (const [id, s] of this.sessions) {
      const limit = s.state === 'active' ? IDLE_ACTIVE_MS : KEEP_FINISHED_MS;
      if (now - s.touched > limit && !s.writer.inUse && s.state !== 'finalizing') {
        this.sessions.delete(id);
        this.release(s);
        if (s.state === 'active') await s.writer.discard().catch(() => undefined);
      }
    }
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    for (const s of this.sessions.values()) {
      if (s.state === 'active') await s.writer.discard().catch(() => undefined);
    }
    this.sessions.clear();
    this.open.clear();
    this.openPerCaller.clear();
    this.buffered = 0;
  }
}

function keyOf(caller: Caller): string {
  if (caller.admin) return 'admin';
  return caller.auth ? `uid:${caller.auth.uid}` : 'anonymous';
}

function definedOnly(limits: Partial<UploadLimits>): Partial<UploadLimits> {
  return Object.fromEntries(Object.entries(limits).filter(([, v]) => v !== undefined));
}
