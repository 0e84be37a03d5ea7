/**
 * Random and mutated inputs must never make the core throw, and every input gets a verdict. The
 * parsers are called directly (not only through decide(), whose last-resort catch would hide a bug)
 * and decide() must never need that catch.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { inspectImage } from './image-header.js';
import { findPdfActiveContent } from './pdf-active.js';
import { REASONS } from './reasons.js';
import { isPlainText } from './sniff.js';
import {
  gif,
  jpeg,
  linuxProgram,
  manyEntriesZip,
  noise,
  overlappingZip,
  pdf,
  pdfDocument,
  pdfObjectStream,
  png,
  text,
  webp,
  webpExtended,
  windowsProgram,
  zip,
} from './test-support/corpus.js';
import { looksLikePageOrScript } from './text-active.js';
import { decide } from './verdict.js';
import { containsZipDirectory, inspectZip } from './zip-inspect.js';

/** mulberry32: small, fast, seedable; the seed is fixed so a failure reproduces. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const seeds: Uint8Array[] = [
  png(16, 16),
  jpeg(16, 16),
  gif(4, 4),
  webp(4, 4),
  webpExtended(4, 4),
  pdf(),
  text(),
  windowsProgram(),
  linuxProgram(),
  zip([
    { name: 'a.txt', data: text() },
    { name: 'dir/', data: new Uint8Array(0), method: 0 },
    { name: 'b.bin', data: noise(300), method: 0, dataDescriptor: true },
  ]),
  zip([{ name: 'z.txt', data: text() }], { zip64: true, comment: 'c' }),
  zip([{ name: 'inner.dat', data: zip([{ name: 'x', data: noise(50) }]) }]),
  overlappingZip(3, noise(200)),
  manyEntriesZip(20),
  Buffer.concat([pdf(), zip([{ name: 'p.txt', data: noise(100) }])]),
  pdfDocument([
    '<< /Type /Catalog /OpenAction 100 0 R /Lang (en) >>',
    pdfObjectStream(['<< /S /JavaScript /JS (x) >>', '[/Fit (s) <0a>]']),
    pdfObjectStream(['<< /A [1 2 3] >>'], { filter: '' }),
  ]),
  Buffer.from('<!doctype html>\n<p>hello</p>\n'),
];

const magics = [
  [0x50, 0x4b, 0x03, 0x04],
  [0x50, 0x4b, 0x05, 0x06],
  [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
  [0xff, 0xd8, 0xff],
  [0x47, 0x49, 0x46, 0x38, 0x39, 0x61],
  [0x52, 0x49, 0x46, 0x46, 0x10, 0, 0, 0, 0x57, 0x45, 0x42, 0x50],
  [0x25, 0x50, 0x44, 0x46, 0x2d],
];

const interesting = [0, 1, 0x7f, 0x80, 0xff, 0xffff, 0xfffe, 0xffffffff, 0x7fffffff, 0x80000000];

function mutate(rand: () => number, input: Uint8Array): Uint8Array {
  const pick = (n: number): number => Math.floor(rand() * n);
  const b = Buffer.from(input);
  switch (pick(8)) {
    case 0: {
      for (let i = 0, n = 1 + pick(8); i < n && b.length > 0; i++) b[pick(b.length)]! ^= 1 << pick(8);
      return b;
    }
    case 1:
      return b.subarray(0, pick(b.length + 1));
    case 2: {
      if (b.length < 4) return b;
      const at = pick(b.length - 3);
      b.writeUInt32LE(interesting[pick(interesting.length)]!, at);
      return b;
    }
    case 3: {
      if (b.length < 2) return b;
      b.writeUInt16LE(interesting[pick(interesting.length)]! & 0xffff, pick(b.length - 1));
      return b;
    }
    case 4: {
      const at = pick(b.length + 1);
      return Buffer.concat([b.subarray(0, at), noise(1 + pick(64), pick(1e9) + 1), b.subarray(at)]);
    }
    case 5: {
      const other = seeds[pick(seeds.length)]!;
      return Buffer.concat([b.subarray(0, pick(b.length + 1)), other.subarray(pick(other.length + 1))]);
    }
    case 6: {
      const from = pick(b.length + 1);
      const to = from + pick(b.length - from + 1);
      return Buffer.concat([b, b.subarray(from, to)]);
    }
    default: {
      if (b.length === 0) return b;
      const at = pick(b.length);
      b.fill(pick(256), at, Math.min(b.length, at + pick(32)));
      return b;
    }
  }
}

function* inputs(count: number, seed: number): Generator<Uint8Array> {
  const rand = prng(seed);
  const pick = (n: number): number => Math.floor(rand() * n);
  for (let i = 0; i < count; i++) {
    const kind = pick(10);
    if (kind === 0) {
      yield noise(pick(2048), pick(1e9) + 1);
    } else if (kind === 1) {
      const magic = Uint8Array.from(magics[pick(magics.length)]!);
      yield Buffer.concat([magic, noise(pick(512), pick(1e9) + 1)]);
    } else {
      let b = seeds[pick(seeds.length)]!;
      for (let m = 0, n = 1 + pick(3); m < n; m++) b = mutate(rand, b);
      yield b;
    }
  }
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('fuzz', () => {
  it('the parsers never throw on 6,000 random and mutated inputs', () => {
    let accepted = 0;
    for (const bytes of inputs(6000, 0x5eed)) {
      const z = inspectZip(bytes);
      if (z.ok) accepted++;
      else expect(typeof z.reason).toBe('string');
      for (const mime of ['image/png', 'image/jpeg', 'image/gif', 'image/webp']) {
        const r = inspectImage(bytes, mime);
        expect(r.ok || r.reason.length > 0).toBe(true);
      }
      containsZipDirectory(bytes);
      isPlainText(bytes);
      findPdfActiveContent(bytes);
      looksLikePageOrScript(bytes);
    }
    // The mutations are gentle enough that some archives survive: the fuzz reaches deep checks.
    expect(accepted).toBeGreaterThan(0);
  });

  it('decide() gives a verdict for 2,000 inputs without falling back to "could not be read"', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const types = [
      'image/png',
      'image/jpeg',
      'image/gif',
      'image/webp',
      'application/pdf',
      'text/plain',
      'application/zip',
    ];
    let i = 0;
    const statuses = new Set<string>();
    for (const bytes of inputs(2000, 0xc0ffee)) {
      const verdict = await decide({ bytes, declaredType: types[i++ % types.length] });
      expect(['accepted', 'rejected']).toContain(verdict.status);
      expect(verdict.reason).not.toBe(REASONS.unreadable);
      expect(verdict.sha256).toMatch(/^[0-9a-f]{64}$/);
      statuses.add(verdict.status);
    }
    expect(errors).not.toHaveBeenCalled();
    expect(statuses).toEqual(new Set(['accepted', 'rejected']));
  });
});
