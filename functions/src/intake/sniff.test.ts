import { describe, expect, it } from 'vitest';
import { describeType, isPlainText, sniffType } from './sniff.js';
import {
  gif,
  jpeg,
  linuxProgram,
  noise,
  pdf,
  png,
  text,
  webp,
  windowsProgram,
  zip,
} from './test-support/corpus.js';

describe('sniffType', () => {
  it.each([
    ['image/png', png(4, 4)],
    ['image/jpeg', jpeg(4, 4)],
    ['image/gif', gif(4, 4)],
    ['image/webp', webp(4, 4)],
    ['application/pdf', pdf()],
    ['application/zip', zip([{ name: 'a.txt', data: text() }])],
    ['text/plain', text()],
    ['application/x-msdownload', windowsProgram()],
    ['application/x-elf', linuxProgram()],
  ])('detects %s from the bytes', async (mime, bytes) => {
    expect(await sniffType(bytes)).toBe(mime);
  });

  it('calls XML that is valid text plain text, and noise nothing', async () => {
    expect(await sniffType(Buffer.from('<?xml version="1.0"?>\n<a>b</a>\n'))).toBe('text/plain');
    expect(await sniffType(noise(2048))).toBeUndefined();
  });

  it('sees through a ZIP dressed as an Office document or Java archive', async () => {
    expect(
      await sniffType(zip([{ name: 'META-INF/MANIFEST.MF', data: text('Manifest-Version: 1.0\n') }])),
    ).toBe('application/java-archive');
  });
});

describe('isPlainText', () => {
  it('accepts UTF-8 with tabs, form feeds, CRLF and a BOM', () => {
    expect(isPlainText(text())).toBe(true);
    expect(isPlainText(Buffer.from('\ufeffpage 1\fpage 2\r\n\tend', 'utf8'))).toBe(true);
    expect(isPlainText(Buffer.from('日本語のテキスト 🎉', 'utf8'))).toBe(true);
  });

  it('refuses NUL, other C0 controls, DEL, C1 controls, invalid UTF-8 and emptiness', () => {
    for (const bad of ['a\0b', 'esc\x1b[31m', 'bell\x07', 'del\x7f', 'vt\x0b']) {
      expect(isPlainText(Buffer.from(bad, 'latin1')), JSON.stringify(bad)).toBe(false);
    }
    expect(isPlainText(Buffer.from('c1 \u0085 next line', 'utf8'))).toBe(false);
    expect(isPlainText(Buffer.from([0x61, 0xc3, 0x28]))).toBe(false); // broken 2-byte sequence
    expect(isPlainText(Buffer.from([0xed, 0xa0, 0x80]))).toBe(false); // UTF-16 surrogate
    expect(isPlainText(Buffer.from('caf\xe9', 'latin1'))).toBe(false); // Latin-1, not UTF-8
    expect(isPlainText(Buffer.from('hi', 'utf16le'))).toBe(false);
    expect(isPlainText(new Uint8Array(0))).toBe(false);
  });
});

/** The definition, byte by byte, to hold the word-at-a-time scan to. */
function referencePlainText(bytes: Uint8Array): boolean {
  if (bytes.length === 0) return false;
  let decoded: string;
  try {
    decoded = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return false;
  }
  for (const ch of decoded) {
    const code = ch.codePointAt(0)!;
    const allowed = code === 0x09 || code === 0x0a || code === 0x0c || code === 0x0d;
    if ((code < 0x20 && !allowed) || (code >= 0x7f && code <= 0x9f)) return false;
  }
  return true;
}

describe('isPlainText against the byte-by-byte definition', () => {
  it('agrees on every forbidden byte at every alignment', () => {
    const base = Buffer.from('ordinary text, long enough to span several words.\n', 'latin1');
    for (let offset = 0; offset < 4; offset++) {
      for (let at = 0; at < 12; at++) {
        for (let byte = 0; byte < 0x80; byte++) {
          const b = Buffer.concat([Buffer.alloc(offset), base]);
          b[offset + at] = byte;
          const view = b.subarray(offset);
          expect(isPlainText(view), `byte ${byte} at ${at}, offset ${offset}`).toBe(referencePlainText(view));
        }
      }
    }
  });

  it('agrees on 3,000 seeded text-like inputs', () => {
    let x = 12345;
    const next = (): number => {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      return x >>> 0;
    };
    const alphabet = ['a', ' ', '\n', '\t', 'é', '€', '\u0085', '\u00a0', '\u0000', '\u001b', '\u007f', '𝄞'];
    for (let n = 0; n < 3000; n++) {
      let s = '';
      const length = next() % 40;
      for (let i = 0; i < length; i++) s += next() % 6 === 0 ? alphabet[next() % alphabet.length]! : 'x';
      let bytes: Uint8Array = Buffer.from(s, 'utf8');
      if (next() % 5 === 0 && bytes.length > 0) bytes = bytes.subarray(0, next() % bytes.length); // may split a sequence
      // A fresh ArrayBuffer per input, sliced at 0–3 bytes in, so every alignment is exercised.
      const shifted = new Uint8Array(bytes.length + 4);
      const offset = next() % 4;
      shifted.set(bytes, offset);
      const view = shifted.subarray(offset, offset + bytes.length);
      expect(isPlainText(view), JSON.stringify(s)).toBe(referencePlainText(view));
    }
  });
});

describe('describeType', () => {
  it('reads well in a sentence', () => {
    expect(describeType('application/x-msdownload')).toBe('a Windows program');
    expect(describeType('image/png')).toBe('a PNG image');
    expect(describeType('application/x-foo')).toBe('a file of type application/x-foo');
    expect(describeType(undefined)).toBe('binary data of no recognised type');
  });
});
