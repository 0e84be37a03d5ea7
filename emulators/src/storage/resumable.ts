/**
 * Resumable upload sessions, shared by the Firebase protocol (`X-Goog-Upload-*` commands) and the
 * GCS protocol (`uploadType=resumable` + `Content-Range`). A session owns a BlobWriter in the
 * temp directory; nothing becomes visible until finalize succeeds. Finished sessions are kept a
 * while so that status queries and retried finalize requests get the same answer, then swept.
 */
import { randomUUID } from 'node:crypto';
import type { Caller } from './auth.js';
import type { BlobWriter } from './blob-writer.js';
import type { HttpError } from './errors.js';
import type { MetadataPatch, ObjectMetadata } from './metadata.js';

/** Largest body one chunk request may carry (the web SDK's chunks grow to 8 MiB). */
export const MAX_CHUNK_BYTES = 64 * 1024 * 1024;
/** Largest object accepted (GCS allows 5 TiB; an emulator on a developer disk does not need that). */
export const MAX_OBJECT_BYTES = 5 * 1024 * 1024 * 1024;

const IDLE_ACTIVE_MS = 60 * 60 * 1000;
const KEEP_FINISHED_MS = 10 * 60 * 1000;

export interface UploadSession {
  readonly id: string;
  readonly bucket: string;
  readonly name: string;
  readonly patch: MetadataPatch;
  readonly caller: Caller;
  /** From `X-Goog-Upload-Header-Content-Length` / `X-Upload-Content-Length`, when sent. */
  readonly declaredSize: number | undefined;
  readonly dataContentType: string | undefined;
  readonly writer: BlobWriter;
  state: 'active' | 'finalizing' | 'final' | 'failed' | 'cancelled';
  result?: ObjectMetadata;
  failure?: HttpError;
  touched: number;
}

export class UploadSessions {
  private readonly sessions = new Map<string, UploadSession>();
  private readonly timer: NodeJS.Timeout;

  constructor() {
    this.timer = setInterval(() => void this.sweep(Date.now()), 60_000);
    this.timer.unref();
  }

  create(init: Omit<UploadSession, 'id' | 'state' | 'touched'>): UploadSession {
    const session: UploadSession = {
      ...init,
      id: randomUUID(),
      state: 'active',
      touched: Date.now(),
    };
    this.sessions.set(session.id, session);
    return session;
  }

  get(id: string): UploadSession | undefined {
    const s = this.sessions.get(id);
    if (s) s.touched = Date.now();
    return s;
  }

  async cancel(session: UploadSession): Promise<void> {
    session.state = 'cancelled';
    await session.writer.discard();
  }

  /** Drop idle sessions and their temp files; finished ones only after a grace period. */
  async sweep(now: number): Promise<void> {
    for (const [id, s] of this.sessions) {
      const limit = s.state === 'active' ? IDLE_ACTIVE_MS : KEEP_FINISHED_MS;
      if (now - s.touched > limit && !s.writer.inUse && s.state !== 'finalizing') {
        this.sessions.delete(id);
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
  }
}
