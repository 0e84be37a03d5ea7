/**
 * A WebChannel session from Node, as the browser SDK's WebChannel speaks it over plain HTTP
 * (issue 19): session creation with the first message and the owner's Authorization in the init
 * headers, forward messages with RID/AID/ofs, and long polls (CI=1) acknowledging what arrived.
 */
import { unframe } from '../../webchannel/framing.js';
import type { Json } from './corpus.js';
import type { ListenStream } from './grpc.js';

export class ChannelSession implements ListenStream {
  readonly messages: Json[] = [];
  private wake: () => void = () => {};
  private sid = '';
  private last = 0;
  private rid = 1001;
  private ofs = 1;
  private closed = false;
  private readonly abort = new AbortController();

  private constructor(
    private readonly base: string,
    private readonly rpc: 'Listen' | 'Write',
    private readonly database: string,
  ) {}

  private url(params: Record<string, string>): string {
    const q = new URLSearchParams({ VER: '8', database: this.database, ...params });
    return `${this.base}/google.firestore.v1.Firestore/${this.rpc}/channel?${q}`;
  }

  static async open(base: string, rpc: 'Listen' | 'Write', first: Json): Promise<ChannelSession> {
    const s = new ChannelSession(base, rpc, String(first['database']));
    const headers = encodeURIComponent('Authorization:Bearer owner\r\nContent-Type:text/plain\r\n');
    const params = { RID: '1000', CVER: '22', 'X-HTTP-Session-Id': 'gsessionid', zx: 'a', t: '1' };
    const r = await fetch(s.url(params), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: `headers=${headers}&count=1&ofs=0&req0___data__=${encodeURIComponent(JSON.stringify(first))}`,
    });
    const text = await r.text();
    if (r.status !== 200) s.messages.push({ streamError: { code: r.status, message: text.slice(0, 200) } });
    else s.take(unframe(text));
    s.closed = r.status !== 200 || s.sid === '';
    void s.poll();
    return s;
  }

  private take(chunks: unknown[]): void {
    for (const batch of chunks as [number, unknown[]][][]) {
      for (const [id, p] of batch) {
        this.last = id;
        if (Array.isArray(p) && p[0] === 'c') this.sid = String(p[1]);
        else if (Array.isArray(p) && p[0] && typeof p[0] === 'object') this.messages.push(p[0] as Json);
      }
    }
    this.wake();
  }

  private async poll(): Promise<void> {
    while (!this.closed) {
      try {
        const params = {
          RID: 'rpc',
          SID: this.sid,
          AID: String(this.last),
          CI: '1',
          TYPE: 'xmlhttp',
          zx: 'b',
          t: '1',
        };
        const r = await fetch(this.url(params), { signal: this.abort.signal });
        const body = await r.text();
        if (r.status !== 200) {
          this.messages.push({ streamError: { code: r.status, message: body.slice(0, 200) } });
          this.wake();
          return;
        }
        this.take(unframe(body));
      } catch {
        return;
      }
    }
  }

  /** Sends one message on the forward channel. */
  async send(msg: Json): Promise<void> {
    const body = `count=1&ofs=${this.ofs++}&req0___data__=${encodeURIComponent(JSON.stringify(msg))}`;
    const params = { SID: this.sid, RID: String(this.rid++), AID: String(this.last), zx: 'c', t: '1' };
    try {
      const r = await fetch(this.url(params), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body,
      });
      await r.arrayBuffer();
    } catch (e) {
      // A connection the server closes unanswered (Google's emulator does, now and then, under
      // load) is an answer to compare and rerun like any other, not a crash of the whole run.
      this.messages.push({ streamError: { code: 0, message: `forward request failed: ${String(e)}` } });
      this.wake();
    }
  }

  next(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const t = setTimeout(resolve, ms);
      this.wake = () => {
        clearTimeout(t);
        resolve();
      };
    });
  }

  close(): void {
    this.closed = true;
    this.abort.abort();
    void fetch(this.url({ SID: this.sid, RID: '9999', TYPE: 'terminate', zx: 'd', t: '1' })).then(
      (r) => r.arrayBuffer(),
      () => undefined,
    );
  }
}

/** Waits (up to `ms`) until `s` holds more than `n` messages; answers the new ones. */
export async function messagesAfter(s: ListenStream, n: number, ms: number): Promise<Json[]> {
  const until = Date.now() + ms;
  while (s.messages.length <= n && Date.now() < until) await s.next(until - Date.now());
  return s.messages.slice(n);
}
