/**
 * The WebChannel (BrowserChannel protocol version 8) wire format as the browser SDK's
 * @firebase/webchannel-wrapper speaks it, learnt from that client and from Google's emulator's
 * answers:
 *
 * - Forward channel (client → server): a form body `count=N&ofs=K&req0___data__=…&req1___data__=…`
 *   where message `i` has id `K + i`; the session-creating request may start with
 *   `headers=<"Name:value\r\n" lines>` (the SDK's encodeInitMessageHeaders), and a fast handshake
 *   puts the whole form into the `$req` URL parameter instead of the body.
 * - Back channel (server → client): chunks `<length>\n<JSON>` where JSON is
 *   `[[arrayId, payload], …]` and the length counts UTF-16 code units (the client slices
 *   `responseText`, a JavaScript string).
 */
import { invalid } from '../errors.js';

export interface ForwardMessages {
  /** Id of the first message (`ofs`). */
  offset: number;
  /** Each message's JSON text, in order. */
  data: string[];
  /** Headers the init request carried in its body (`headers=`), lower-cased names. */
  headers: Record<string, string>;
}

/** At most this many messages per forward request (the client sends up to 1000). */
export const MAX_MESSAGES_PER_REQUEST = 1000;

export function parseForwardBody(body: string): ForwardMessages {
  let params: URLSearchParams;
  try {
    params = new URLSearchParams(body);
  } catch {
    throw invalid('Malformed WebChannel form body.');
  }
  const countRaw = params.get('count');
  const headers = parseHeaderBlock(params.get('headers') ?? '');
  if (countRaw === null) {
    if (body.trim() === '' || params.has('headers')) return { offset: 0, data: [], headers };
    throw invalid('Malformed WebChannel request: missing count.');
  }
  const count = strictInt(countRaw, 'count');
  if (count > MAX_MESSAGES_PER_REQUEST) throw invalid(`Too many messages in one request: ${count}.`);
  const offset = count === 0 && !params.has('ofs') ? 0 : strictInt(params.get('ofs') ?? '', 'ofs');
  const data: string[] = [];
  for (let i = 0; i < count; i++) {
    const d = params.get(`req${i}___data__`);
    if (d === null) throw invalid(`Malformed WebChannel request: req${i}___data__ missing.`);
    data.push(d);
  }
  return { offset, data, headers };
}

function strictInt(raw: string, what: string): number {
  if (!/^\d{1,9}$/.test(raw)) throw invalid(`Malformed WebChannel request: bad ${what}.`);
  return Number(raw);
}

/** `Name:value` lines separated by CRLF (closure's HTTP header overwrite format). */
export function parseHeaderBlock(block: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of block.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (name === '__proto__') continue;
    out[name] = line.slice(colon + 1).trim();
  }
  return out;
}

/** One back-channel chunk. */
export function frame(json: string): string {
  return `${json.length}\n${json}`;
}

/** Splits a back-channel response into its chunks' JSON (for tests and the bench client). */
export function unframe(text: string): unknown[] {
  const out: unknown[] = [];
  let at = 0;
  while (at < text.length) {
    const nl = text.indexOf('\n', at);
    if (nl < 0) throw new Error(`Truncated frame header at ${at}`);
    const len = Number(text.slice(at, nl));
    if (!Number.isInteger(len)) throw new Error(`Bad frame length at ${at}`);
    const body = text.slice(nl + 1, nl + 1 + len);
    if (body.length !== len) throw new Error(`Truncated frame at ${at}`);
    out.push(JSON.parse(body));
    at = nl + 1 + len;
  }
  return out;
}
