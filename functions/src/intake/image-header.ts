/**
 * Image dimensions and structural soundness from the container headers alone, without decoding a
 * pixel: enough to refuse decompression bombs (huge canvases) and truncated or corrupt files before
 * anyone's viewer tries them.
 */
import { crc32 } from 'node:zlib';
import { MAX_IMAGE_SIDE } from './policy.js';
import { REASONS } from './reasons.js';

export type ImageInspection = { ok: true; width: number; height: number } | { ok: false; reason: string };

type Size = { width: number; height: number } | undefined;

/** Bounds-checked reads; any read past the end means the header is truncated. */
class Truncated extends Error {}

function need(b: Uint8Array, offset: number, size: number): void {
  if (offset < 0 || offset + size > b.length) throw new Truncated();
}
const u8 = (b: Uint8Array, o: number): number => (need(b, o, 1), b[o]!);
const be16 = (b: Uint8Array, o: number): number => (need(b, o, 2), (b[o]! << 8) | b[o + 1]!);
const le16 = (b: Uint8Array, o: number): number => (need(b, o, 2), b[o]! | (b[o + 1]! << 8));
const le24 = (b: Uint8Array, o: number): number => (
  need(b, o, 3),
  b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16)
);
const be32 = (b: Uint8Array, o: number): number => (
  need(b, o, 4),
  ((b[o]! << 24) | (b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) >>> 0
);
const le32 = (b: Uint8Array, o: number): number => (
  need(b, o, 4),
  (b[o]! | (b[o + 1]! << 8) | (b[o + 2]! << 16) | (b[o + 3]! << 24)) >>> 0
);
const ascii = (b: Uint8Array, o: number, n: number): string => (
  need(b, o, n),
  String.fromCharCode(...b.subarray(o, o + n))
);

/**
 * PNG (ISO/IEC 15948 §5.3, §11.2.2): signature, IHDR first, then chunks whose CRCs must hold, up to
 * IEND. A missing IEND is the usual sign of an interrupted upload.
 */
function png(b: Uint8Array): Size {
  const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (!signature.every((x, i) => b[i] === x)) return undefined;
  if (be32(b, 8) !== 13 || ascii(b, 12, 4) !== 'IHDR') return undefined;
  const width = be32(b, 16);
  const height = be32(b, 20);
  let at = 8;
  let sawData = false;
  for (;;) {
    const length = be32(b, at);
    const type = ascii(b, at + 4, 4);
    if (length > 0x7fffffff || !/^[A-Za-z]{4}$/.test(type)) return undefined;
    need(b, at + 8, length + 4);
    if (crc32(b.subarray(at + 4, at + 8 + length)) !== be32(b, at + 8 + length)) return undefined;
    if (type === 'IDAT') sawData = true;
    if (type === 'IEND') return sawData && length === 0 ? { width, height } : undefined;
    at += 12 + length;
  }
}

/** JPEG (ITU-T T.81 Annex B): markers up to the first SOFn, then an EOI after the scan data. */
function jpeg(b: Uint8Array): Size {
  if (b[0] !== 0xff || b[1] !== 0xd8) return undefined;
  let at = 2;
  let size: Size;
  for (;;) {
    if (u8(b, at) !== 0xff) return undefined;
    while (u8(b, at) === 0xff) at++; // fill bytes (B.1.1.2)
    const marker = u8(b, at);
    at++;
    if (marker === 0xd8 || marker === 0xd9) return undefined;
    if ((marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) continue; // no length field
    const length = be16(b, at);
    if (length < 2) return undefined;
    need(b, at, length);
    // SOF0–SOF15 except DHT (C4), JPG (C8) and DAC (CC): precision, height, width (B.2.2).
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      size ??= { height: be16(b, at + 3), width: be16(b, at + 5) };
    }
    if (marker === 0xda) {
      if (!size) return undefined;
      // Entropy-coded data stuffs every 0xFF with 0x00 (B.1.1.5), so the first real FFD9 after
      // the scan header is the end of the image; a file cut short has none.
      for (let i = at + length; i + 1 < b.length; i++) {
        if (b[i] === 0xff && b[i + 1] === 0xd9) return size;
      }
      return undefined;
    }
    at += length;
  }
}

/** GIF89a: header, logical screen, then image and extension blocks up to the trailer. */
function gif(b: Uint8Array): Size {
  const version = ascii(b, 0, 6);
  if (version !== 'GIF87a' && version !== 'GIF89a') return undefined;
  const width = le16(b, 6);
  const height = le16(b, 8);
  const packed = u8(b, 10);
  let at = 13 + (packed & 0x80 ? 3 * (1 << ((packed & 0x07) + 1)) : 0);
  const skipSubBlocks = (): void => {
    for (;;) {
      const n = u8(b, at);
      at += 1 + n;
      if (n === 0) return;
    }
  };
  let frames = 0;
  for (;;) {
    const introducer = u8(b, at);
    if (introducer === 0x3b) return frames > 0 ? { width, height } : undefined;
    if (introducer === 0x21) {
      u8(b, at + 1);
      at += 2;
      skipSubBlocks();
    } else if (introducer === 0x2c) {
      // A frame larger than the screen is decoded at its own size by most viewers.
      const frameWidth = le16(b, at + 5);
      const frameHeight = le16(b, at + 7);
      if (frameWidth > MAX_IMAGE_SIDE || frameHeight > MAX_IMAGE_SIDE) {
        return { width: Math.max(width, frameWidth), height: Math.max(height, frameHeight) };
      }
      const local = u8(b, at + 9);
      at += 10 + (local & 0x80 ? 3 * (1 << ((local & 0x07) + 1)) : 0);
      const codeSize = u8(b, at);
      if (codeSize < 2 || codeSize > 11) return undefined;
      at += 1;
      skipSubBlocks();
      frames++;
    } else {
      return undefined;
    }
  }
}

/** WebP (RFC 9649): RIFF container whose declared length must fit, then VP8, VP8L or VP8X. */
function webp(b: Uint8Array): Size {
  if (ascii(b, 0, 4) !== 'RIFF' || ascii(b, 8, 4) !== 'WEBP') return undefined;
  const riffEnd = 8 + le32(b, 4);
  if (riffEnd > b.length) return undefined;
  let size: Size;
  let sawImage = false;
  let at = 12;
  while (at < riffEnd) {
    const fourcc = ascii(b, at, 4);
    const length = le32(b, at + 4);
    const body = at + 8;
    if (body + length > riffEnd) return undefined;
    if (fourcc === 'VP8 ') {
      // RFC 6386 §9.1: 3-byte frame tag, start code 9D 01 2A, then 14-bit width and height.
      if (u8(b, body + 3) !== 0x9d || u8(b, body + 4) !== 0x01 || u8(b, body + 5) !== 0x2a) return undefined;
      size ??= { width: le16(b, body + 6) & 0x3fff, height: le16(b, body + 8) & 0x3fff };
      sawImage = true;
    } else if (fourcc === 'VP8L') {
      // RFC 9649 §3.2: signature 0x2F, then 14-bit width − 1 and height − 1.
      if (u8(b, body) !== 0x2f) return undefined;
      const bits = le32(b, body + 1);
      size ??= { width: (bits & 0x3fff) + 1, height: ((bits >>> 14) & 0x3fff) + 1 };
      sawImage = true;
    } else if (fourcc === 'VP8X') {
      // RFC 9649 §2.7: flags, reserved, 24-bit canvas width − 1 and height − 1.
      size = { width: le24(b, body + 4) + 1, height: le24(b, body + 7) + 1 };
    } else if (fourcc === 'ANMF') {
      sawImage = true;
    }
    at = body + length + (length & 1);
  }
  return sawImage ? size : undefined;
}

const READERS: Record<string, (b: Uint8Array) => Size> = {
  'image/png': png,
  'image/apng': png,
  'image/jpeg': jpeg,
  'image/gif': gif,
  'image/webp': webp,
};

export function isInspectableImage(mime: string): boolean {
  return Object.hasOwn(READERS, mime);
}

/** Dimensions within the limit and a sound container, or the reason why not. */
export function inspectImage(bytes: Uint8Array, mime: string): ImageInspection {
  const read = READERS[mime];
  if (!read) return { ok: false, reason: REASONS.imageDamaged };
  let size: Size;
  try {
    size = read(bytes);
  } catch (error) {
    if (!(error instanceof Truncated)) throw error;
    size = undefined;
  }
  if (!size || size.width === 0 || size.height === 0) return { ok: false, reason: REASONS.imageDamaged };
  if (size.width > MAX_IMAGE_SIDE || size.height > MAX_IMAGE_SIDE) {
    return { ok: false, reason: REASONS.imageTooLarge(size.width, size.height) };
  }
  return { ok: true, width: size.width, height: size.height };
}
