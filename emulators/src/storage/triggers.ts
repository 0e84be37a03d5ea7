/**
 * Storage → Functions emulator events. Like firebase-tools (`storage/cloudFunctions.js`), each
 * event is posted twice to `/functions/projects/{p}/trigger_multicast`: once in the legacy
 * (v1, `google.storage.object.*`) JSON form and once as a structured-mode CloudEvent
 * (v2, `google.cloud.storage.object.v1.*`), so both generations of functions fire. Events are
 * sent in order, one at a time, and failures are logged, never thrown. Stopping waits for them only
 * briefly (`close`): a slow or hung Functions emulator must not hold up Ctrl+C.
 */
import { randomUUID } from 'node:crypto';

export type StorageAction = 'finalize' | 'delete' | 'metadataUpdate';

const CLOUD_EVENT_ACTION: Record<StorageAction, string> = {
  finalize: 'finalized',
  delete: 'deleted',
  metadataUpdate: 'metadataUpdated',
};

export interface FunctionsTarget {
  host: string;
  port: number;
}

/**
 * How long stopping waits for events still queued or in flight. firebase-tools' Storage suite gives
 * the emulators 5 s to stop (EMULATORS_SHUTDOWN_DELAY_MS), the Auth emulator's shutdown included.
 */
export const STOP_GRACE_MS = 1_000;

export class TriggerDispatcher {
  private chain: Promise<void> = Promise.resolve();
  private lastFailureLog = 0;
  private suppressed = 0;
  /** Events dispatched and not yet delivered or failed. */
  private pending = 0;
  private closed = false;
  private readonly abort = new AbortController();

  constructor(
    private readonly target: FunctionsTarget | null,
    private readonly projectId: string,
    private readonly log: (msg: string) => void,
  ) {}

  get enabled(): boolean {
    return this.target !== null;
  }

  /** `object` is the GCS `storage#object` JSON (the `data` of both event forms). */
  dispatch(action: StorageAction, object: Record<string, unknown>): void {
    const target = this.target;
    if (!target || this.closed) return;
    const url = `http://${target.host}:${target.port}/functions/projects/${encodeURIComponent(this.projectId)}/trigger_multicast`;
    const bodies = eventBodies(action, object);
    this.pending++;
    this.chain = this.chain.then(async () => {
      try {
        for (const [contentType, body] of bodies) {
          if (this.closed) return;
          try {
            const res = await fetch(url, {
              method: 'POST',
              headers: { 'Content-Type': contentType },
              body: JSON.stringify(body),
              // The multicast reply can wait for the function itself; do not give up on slow
              // functions too early (but stopping does: see close()).
              signal: AbortSignal.any([AbortSignal.timeout(60_000), this.abort.signal]),
            });
            await res.body?.cancel();
            if (!res.ok) this.log(`Functions emulator answered ${res.status} to a ${action} event.`);
          } catch (err) {
            if (this.closed) return;
            this.failed(
              `Could not deliver ${action} event to the Functions emulator at ${target.host}:${target.port}: ${(err as Error).message}`,
            );
          }
        }
      } finally {
        this.pending--;
      }
    });
  }

  /** The Functions emulator is often simply not running: say so at most every 30 s, not per event. */
  private failed(message: string): void {
    const now = Date.now();
    if (now - this.lastFailureLog < 30_000) {
      this.suppressed++;
      return;
    }
    const extra = this.suppressed > 0 ? ` (${this.suppressed} similar failures since the last report)` : '';
    this.lastFailureLog = now;
    this.suppressed = 0;
    this.log(message + extra);
  }

  /** Resolves when every event dispatched so far has been delivered or has failed. */
  flush(): Promise<void> {
    return this.chain;
  }

  /**
   * For stop(): waits up to `graceMs` for the events dispatched so far, then gives up on the rest
   * (the request in flight is aborted, queued ones are not sent) and says how many were dropped.
   * Later dispatches are ignored.
   */
  async close(graceMs = STOP_GRACE_MS): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      this.chain.then(() => false),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(true), graceMs);
      }),
    ]);
    clearTimeout(timer);
    this.closed = true;
    const target = this.target;
    if (!timedOut || !target) return;
    const dropped = this.pending;
    this.abort.abort();
    await this.chain;
    this.log(
      `Stopped without delivering ${dropped} event(s) to the Functions emulator at ${target.host}:${target.port}: no answer within ${graceMs} ms.`,
    );
  }
}

export function eventBodies(
  action: StorageAction,
  object: Record<string, unknown>,
): Array<[string, Record<string, unknown>]> {
  const now = new Date();
  const bucket = String(object['bucket']);
  const name = String(object['name']);
  const legacy = {
    eventId: String(now.getTime()),
    timestamp: now.toISOString(),
    eventType: `google.storage.object.${action}`,
    resource: {
      service: 'storage.googleapis.com',
      name: `projects/_/buckets/${bucket}/objects/${name}`,
      type: 'storage#object',
    },
    data: object,
  };
  const cloudEvent = {
    specversion: '1.0',
    id: randomUUID(),
    type: `google.cloud.storage.object.v1.${CLOUD_EVENT_ACTION[action]}`,
    source: `//storage.googleapis.com/projects/_/buckets/${bucket}/objects/${name}`,
    time: typeof object['updated'] === 'string' ? object['updated'] : now.toISOString(),
    data: object,
  };
  return [
    ['application/json', legacy],
    ['application/cloudevents+json; charset=UTF-8', cloudEvent],
  ];
}
