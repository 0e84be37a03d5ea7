/**
 * A payload already in JSON, as text pieces and UTF-8 bytes shared between sessions: a document
 * sent to a hundred listeners is encoded once, and its bytes are copied into each listener's pooled
 * frame buffer (session.ts), so fan-out costs no per-listener copy of it on the JavaScript heap.
 */
export class RawJson {
  /** Length in UTF-16 code units, which the WebChannel frame header counts. */
  readonly units: number;
  /** Length in UTF-8 bytes, which the socket gets. */
  readonly byteLength: number;

  constructor(readonly parts: readonly (string | SharedText)[]) {
    let n = 0;
    let bytes = 0;
    for (const p of parts) {
      n += p.length;
      bytes += typeof p === 'string' ? Buffer.byteLength(p) : p.bytes.length;
    }
    this.units = n;
    this.byteLength = bytes;
  }
}

/** JSON text encoded once: its UTF-16 length and its UTF-8 bytes. */
export class SharedText {
  readonly bytes: Buffer;
  readonly length: number;

  constructor(text: string) {
    this.length = text.length;
    this.bytes = Buffer.from(text, 'utf8');
  }
}
