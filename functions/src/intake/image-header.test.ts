import { describe, expect, it } from 'vitest';
import { inspectImage } from './image-header.js';
import { REASONS } from './reasons.js';
import { gif, jpeg, noise, png, webp, webpExtended } from './test-support/corpus.js';

const damaged = { ok: false, reason: 'The image is truncated or damaged.' };

describe('inspectImage: dimensions', () => {
  it.each([
    ['image/png', png(640, 480)],
    ['image/jpeg', jpeg(640, 480)],
    ['image/gif', gif(640, 480)],
    ['image/webp', webp(640, 480)],
    ['image/webp', webpExtended(640, 480)],
  ])('reads %s dimensions', (mime, bytes) => {
    expect(inspectImage(bytes, mime)).toEqual({ ok: true, width: 640, height: 480 });
  });

  it('accepts 10,000 × 10,000 and refuses one pixel more on either side', () => {
    expect(inspectImage(jpeg(10_000, 10_000), 'image/jpeg')).toMatchObject({ ok: true });
    expect(inspectImage(jpeg(10_001, 10), 'image/jpeg')).toEqual({
      ok: false,
      reason: REASONS.imageTooLarge(10_001, 10),
    });
    expect(inspectImage(gif(10, 10_001), 'image/gif')).toEqual({
      ok: false,
      reason: REASONS.imageTooLarge(10, 10_001),
    });
    expect(inspectImage(webp(16_383, 2), 'image/webp')).toEqual({
      ok: false,
      reason: REASONS.imageTooLarge(16_383, 2),
    });
    expect(inspectImage(webpExtended(12_000, 12_000), 'image/webp')).toEqual({
      ok: false,
      reason: REASONS.imageTooLarge(12_000, 12_000),
    });
    expect(REASONS.imageTooLarge(65_535, 65_535)).toBe(
      'The image is 65,535 × 65,535 pixels; the limit is 10,000 × 10,000.',
    );
  });

  it('refuses a PNG declaring a huge canvas in a small file (a decompression bomb)', () => {
    const bomb = png(100_000, 100_000, {
      idat: new Uint8Array([0x78, 0x9c, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]),
    });
    expect(inspectImage(bomb, 'image/png')).toEqual({
      ok: false,
      reason: REASONS.imageTooLarge(100_000, 100_000),
    });
  });

  it('refuses a GIF frame larger than its logical screen', () => {
    const b = gif(10, 10);
    const frame = b.indexOf(0x2c, 13);
    b.writeUInt16LE(20_000, frame + 5);
    expect(inspectImage(b, 'image/gif')).toEqual({ ok: false, reason: REASONS.imageTooLarge(20_000, 10) });
  });
});

describe('inspectImage: truncated and corrupt headers', () => {
  it('refuses a truncated PNG at every cut before IEND', () => {
    const whole = png(32, 32);
    for (let cut = 0; cut < whole.length; cut++) {
      expect(inspectImage(whole.subarray(0, cut), 'image/png')).toEqual(damaged);
    }
  });

  it('refuses a PNG with a corrupted chunk (CRC mismatch), no IDAT, or a zero dimension', () => {
    const flipped = png(32, 32);
    flipped[40] = flipped[40]! ^ 0xff;
    expect(inspectImage(flipped, 'image/png')).toEqual(damaged);
    const zero = png(0, 32);
    expect(inspectImage(zero, 'image/png')).toEqual(damaged);
  });

  it('refuses a JPEG without its end marker or without a frame header', () => {
    const whole = jpeg(64, 64);
    expect(inspectImage(whole.subarray(0, whole.length - 2), 'image/jpeg')).toEqual(damaged);
    expect(inspectImage(whole.subarray(0, 30), 'image/jpeg')).toEqual(damaged);
    const noFrame = Buffer.from(whole);
    noFrame[noFrame.indexOf(Buffer.from([0xff, 0xc0])) + 1] = 0xe1; // SOF0 → APP1
    expect(inspectImage(noFrame, 'image/jpeg')).toEqual(damaged);
  });

  it('refuses a GIF without its trailer or frames', () => {
    const whole = gif(8, 8);
    expect(inspectImage(whole.subarray(0, whole.length - 1), 'image/gif')).toEqual(damaged);
    expect(inspectImage(Buffer.concat([whole.subarray(0, 19), Buffer.from([0x3b])]), 'image/gif')).toEqual(
      damaged,
    );
  });

  it('refuses a WebP whose RIFF length runs past the end, or with no image chunk', () => {
    const whole = webp(8, 8);
    expect(inspectImage(whole.subarray(0, whole.length - 1), 'image/webp')).toEqual(damaged);
    const onlyHeader = Buffer.from('RIFF\x04\x00\x00\x00WEBP', 'latin1');
    expect(inspectImage(onlyHeader, 'image/webp')).toEqual(damaged);
  });

  it('refuses noise under every image type and an unknown type', () => {
    for (const mime of ['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/bmp']) {
      expect(inspectImage(noise(4096), mime)).toEqual(damaged);
    }
  });
});
