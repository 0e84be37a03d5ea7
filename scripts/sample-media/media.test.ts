import { inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { makePdf } from './pdf.js';
import { badgePng, crc32, makePng } from './png.js';

describe('makePng', () => {
  it('computes the standard CRC-32', () => {
    // The check value of CRC-32/ISO-HDLC.
    expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
  });

  it('writes signature, IHDR and pixel rows that inflate back to the drawn colours', () => {
    const png = makePng(2, 1, (x) => (x === 0 ? [255, 0, 0] : [0, 0, 255]));
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(png.subarray(12, 16).toString('latin1')).toBe('IHDR');
    expect(png.readUInt32BE(16)).toBe(2);
    expect(png.readUInt32BE(20)).toBe(1);
    const ihdrCrc = png.readUInt32BE(8 + 4 + 4 + 13);
    expect(ihdrCrc).toBe(crc32(png.subarray(12, 12 + 4 + 13)));
    const idatLength = png.readUInt32BE(33);
    expect(png.subarray(37, 41).toString('latin1')).toBe('IDAT');
    const raw = inflateSync(png.subarray(41, 41 + idatLength));
    expect([...raw]).toEqual([0, 255, 0, 0, 0, 0, 255]);
    expect(png.subarray(-8, -4).toString('latin1')).toBe('IEND');
  });

  it('draws the badge at the requested size', () => {
    const png = badgePng(32);
    expect(png.readUInt32BE(16)).toBe(32);
    expect(png.length).toBeGreaterThan(60);
  });
});

describe('makePdf', () => {
  it('writes a PDF whose xref offsets point at each object', () => {
    const pdf = makePdf('Guide (draft)', ['Line one', 'Line two']).toString('latin1');
    expect(pdf.startsWith('%PDF-1.4\n')).toBe(true);
    expect(pdf.endsWith('%%EOF\n')).toBe(true);
    expect(pdf).toContain('(Guide \\(draft\\)) Tj');
    const startxref = Number(/startxref\n(\d+)/.exec(pdf)?.[1]);
    expect(pdf.slice(startxref, startxref + 4)).toBe('xref');
    const offsets = [...pdf.matchAll(/^(\d{10}) 00000 n $/gm)].map((m) => Number(m[1]));
    expect(offsets).toHaveLength(5);
    offsets.forEach((offset, index) => {
      expect(pdf.slice(offset, offset + `${index + 1} 0 obj`.length)).toBe(`${index + 1} 0 obj`);
    });
  });
});
