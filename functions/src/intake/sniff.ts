/**
 * The real type of a file, from its bytes. file-type knows the binary formats; plain text has no
 * signature, so it is recognised here by what it must not contain.
 */
import { isUtf8 } from 'node:buffer';
import { fileTypeFromBuffer } from 'file-type';

/** `text/plain` when the bytes are text, a file-type MIME when it recognises them, else undefined. */
export async function sniffType(bytes: Uint8Array): Promise<string | undefined> {
  let mime: string | undefined;
  try {
    mime = (await fileTypeFromBuffer(bytes))?.mime;
  } catch {
    // file-type walks container structures (ZIP entries, TIFF IFDs) and can give up on damaged
    // ones; the magic numbers below still say what the file pretends to be.
    mime = magicFallback(bytes);
  }
  // Text has no signature, and file-type guesses from the first bytes, so a note starting "MZ" or
  // "<?xml" gets a binary type. Bytes that are valid text cannot be a working program or image
  // (their headers need NUL and other control bytes), so text wins; except over PDF, which may be
  // all text yet is opened by PDF readers, and must be declared as what it is.
  if (mime !== 'application/pdf' && isPlainText(bytes)) return 'text/plain';
  return mime;
}

function startsWith(bytes: Uint8Array, magic: readonly number[], offset = 0): boolean {
  if (bytes.length < offset + magic.length) return false;
  return magic.every((b, i) => bytes[offset + i] === b);
}

/** The signatures that matter to the rules table, for when file-type throws. */
function magicFallback(bytes: Uint8Array): string | undefined {
  if (startsWith(bytes, [0x50, 0x4b, 0x03, 0x04])) return 'application/zip';
  if (startsWith(bytes, [0x25, 0x50, 0x44, 0x46])) return 'application/pdf';
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47])) return 'image/png';
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (startsWith(bytes, [0x47, 0x49, 0x46, 0x38])) return 'image/gif';
  if (startsWith(bytes, [0x57, 0x45, 0x42, 0x50], 8)) return 'image/webp';
  if (startsWith(bytes, [0x4d, 0x5a])) return 'application/x-msdownload';
  if (startsWith(bytes, [0x7f, 0x45, 0x4c, 0x46])) return 'application/x-elf';
  return undefined;
}

/** C0 controls other than tab, line feed, form feed and carriage return, and DEL. */
function isForbiddenByte(b: number): boolean {
  return (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0c && b !== 0x0d) || b === 0x7f;
}

/**
 * Scans four bytes at a time: the classic "has a byte below n" test
 * `(w - 0x01010101 * n) & ~w & 0x80808080` (Hacker's Delight, §6-1) flags any word holding a byte
 * below 0x20 or equal to 0x7f, and only flagged words, mostly those with a line break, are looked
 * at byte by byte. About ten times faster than a byte loop on 20 MB.
 */
function hasForbiddenControl(bytes: Uint8Array): boolean {
  let i = 0;
  const head = Math.min(bytes.length, (4 - (bytes.byteOffset & 3)) & 3);
  for (; i < head; i++) if (isForbiddenByte(bytes[i]!)) return true;
  // Shorter than the alignment head: no whole word to read.
  const wordCount = (bytes.byteOffset + i) % 4 === 0 ? (bytes.length - i) >>> 2 : 0;
  const words =
    wordCount > 0 ? new Uint32Array(bytes.buffer, bytes.byteOffset + i, wordCount) : new Uint32Array(0);
  for (let w = 0; w < words.length; w++) {
    const x = words[w]!;
    const d = x ^ 0x7f7f7f7f;
    if ((((x - 0x20202020) & ~x) | ((d - 0x01010101) & ~d)) & 0x80808080) {
      const at = i + w * 4;
      if (
        isForbiddenByte(bytes[at]!) ||
        isForbiddenByte(bytes[at + 1]!) ||
        isForbiddenByte(bytes[at + 2]!) ||
        isForbiddenByte(bytes[at + 3]!)
      ) {
        return true;
      }
    }
  }
  for (i += words.length * 4; i < bytes.length; i++) if (isForbiddenByte(bytes[i]!)) return true;
  return false;
}

/**
 * Valid UTF-8 (a BOM is fine) without NUL or other control characters beyond tab, line feed, form
 * feed and carriage return. C1 controls (U+0080–U+009F) count as controls too: in valid UTF-8 they
 * are exactly the pairs C2 80 … C2 9F (C2 is never a continuation byte).
 */
export function isPlainText(bytes: Uint8Array): boolean {
  if (bytes.length === 0 || !isUtf8(bytes) || hasForbiddenControl(bytes)) return false;
  const view = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let at = view.indexOf(0xc2); at >= 0 && at + 1 < view.length; at = view.indexOf(0xc2, at + 1)) {
    if (view[at + 1]! < 0xa0) return false;
  }
  return true;
}

/** How a type reads in a sentence: "a PNG image", "a Windows program". */
export function describeType(mime: string | undefined): string {
  if (mime === undefined) return 'binary data of no recognised type';
  return DESCRIPTIONS[mime] ?? `a file of type ${mime}`;
}

const DESCRIPTIONS: Record<string, string> = {
  'image/png': 'a PNG image',
  'image/apng': 'an animated PNG image',
  'image/jpeg': 'a JPEG image',
  'image/webp': 'a WebP image',
  'image/gif': 'a GIF image',
  'image/bmp': 'a BMP image',
  'image/tiff': 'a TIFF image',
  'image/avif': 'an AVIF image',
  'image/heic': 'a HEIC image',
  'image/x-icon': 'an icon file',
  'image/svg+xml': 'an SVG image',
  'application/pdf': 'a PDF document',
  'text/plain': 'plain text',
  'application/xml': 'an XML document',
  'application/zip': 'a ZIP archive',
  'application/x-msdownload': 'a Windows program',
  'application/x-elf': 'a Linux program',
  'application/x-mach-binary': 'a macOS program',
  'application/x-sharedlib': 'a shared library',
  'application/wasm': 'a WebAssembly program',
  'application/java-archive': 'a Java archive',
  'application/vnd.android.package-archive': 'an Android app',
  'application/x-xpinstall': 'a browser extension',
  'application/x-msi': 'a Windows installer',
  'application/x-ms-shortcut': 'a Windows shortcut',
  'application/x-rar-compressed': 'a RAR archive',
  'application/x-7z-compressed': 'a 7-Zip archive',
  'application/gzip': 'a gzip archive',
  'application/x-tar': 'a tar archive',
  'application/x-bzip2': 'a bzip2 archive',
  'application/x-xz': 'an xz archive',
  'application/zstd': 'a Zstandard archive',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document': 'a Word document',
  'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet': 'an Excel workbook',
  'application/vnd.openxmlformats-officedocument.presentationml.presentation': 'a PowerPoint presentation',
  'application/epub+zip': 'an EPUB book',
  'application/x-cfb': 'an old-style Office document',
  'application/rtf': 'a rich-text document',
  'video/mp4': 'an MP4 video',
  'audio/mpeg': 'an MP3 audio file',
};
