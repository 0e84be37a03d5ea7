import { describe, expect, it } from 'vitest';
import { REASONS } from './reasons.js';
import { noise, text, zip } from './test-support/corpus.js';
import { inspectZip } from './zip-inspect.js';
import { verifyZipContents } from './zip-verify.js';

const MiB = 1024 * 1024;

async function verify(archive: Uint8Array): Promise<string | undefined> {
  const inspection = inspectZip(archive);
  if (!inspection.ok) throw new Error(`structure refused first: ${inspection.reason}`);
  return verifyZipContents(archive, inspection.contents);
}

describe('verifyZipContents', () => {
  it('passes entries that hold exactly what they declare, stored, deflated and streamed', async () => {
    const archive = zip([
      { name: 'a.txt', data: text() },
      { name: 'b.bin', data: noise(70_000), method: 0 },
      { name: 'c.txt', data: text('x'.repeat(50) + 'y'.repeat(50)), dataDescriptor: true },
      { name: 'empty.txt', data: new Uint8Array(0) },
    ]);
    expect(await verify(archive)).toBeUndefined();
  });

  it('refuses a bomb that understates its size to pass the ratio and total checks', async () => {
    // 8 MiB of zeros deflate to about 8 KB; declaring 500 KB keeps the declared ratio near 60:1.
    const liar = zip([{ name: 'liar.bin', data: Buffer.alloc(8 * MiB), declaredUncompressed: 500_000 }]);
    expect(await verify(liar)).toBe(REASONS.zipUnderstated('liar.bin'));
    expect(REASONS.zipUnderstated('liar.bin')).toBe(
      'This ZIP holds more data than it declares ("liar.bin"), the mark of a zip bomb.',
    );
  });

  it('calls an overstated size, a wrong CRC or a corrupt stream damage', async () => {
    const over = zip([{ name: 'a.txt', data: text(), declaredUncompressed: text().length + 1 }]);
    expect(await verify(over)).toBe(REASONS.zipDamaged);

    const stored = zip([{ name: 'b.bin', data: noise(500), method: 0 }]);
    const at = 30 + 'b.bin'.length + 10;
    stored[at] = stored[at]! ^ 0x01;
    expect(await verify(stored)).toBe(REASONS.zipDamaged);

    const deflated = zip([{ name: 'c.bin', data: noise(5000) }]);
    deflated.fill(0xff, 30 + 'c.bin'.length, 30 + 'c.bin'.length + 16);
    expect(await verify(deflated)).toBe(REASONS.zipDamaged);
  });
});
