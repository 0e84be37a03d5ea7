/**
 * The second half of the ZIP inspection: the structure checks (zip-inspect.ts) trust the sizes the
 * archive declares, and so do the ratio and total limits. A bomb can also lie, declaring a small
 * size for a stream that inflates to gigabytes, and extracting tools such as Info-ZIP's unzip write
 * what the stream yields before they notice. So each entry's data is inflated here as a stream whose
 * output is counted and checksummed, then dropped: nothing is kept or written, and inflation stops
 * one chunk after the declared size is exceeded, so the work is bounded by the 200 MB total limit.
 */
import { crc32, createInflateRaw } from 'node:zlib';
import { REASONS } from './reasons.js';
import type { ZipContent } from './zip-inspect.js';

type Inflated = { size: number; crc: number } | 'too-big' | 'corrupt';

function inflateCounting(data: Uint8Array, limit: number): Promise<Inflated> {
  return new Promise((resolve) => {
    const inflater = createInflateRaw();
    let size = 0;
    let crc = 0;
    let settled = false;
    const finish = (result: Inflated): void => {
      if (settled) return;
      settled = true;
      resolve(result);
    };
    inflater.on('data', (chunk: Buffer) => {
      if (settled) return;
      size += chunk.length;
      if (size > limit) {
        finish('too-big');
        inflater.destroy();
        return;
      }
      crc = crc32(chunk, crc);
    });
    inflater.on('error', () => finish('corrupt'));
    inflater.on('end', () => finish({ size, crc }));
    inflater.on('close', () => finish('corrupt'));
    inflater.end(data);
  });
}

/** Undefined when every entry holds exactly what the directory says (size and CRC-32), else the reason. */
export async function verifyZipContents(
  bytes: Uint8Array,
  contents: readonly ZipContent[],
): Promise<string | undefined> {
  for (const entry of contents) {
    const data = bytes.subarray(entry.dataStart, entry.dataStart + entry.compressedSize);
    if (data.length !== entry.compressedSize) return REASONS.zipDamaged;
    if (entry.method === 0) {
      if (crc32(data) !== entry.crc32) return REASONS.zipDamaged;
      continue;
    }
    const inflated = await inflateCounting(data, entry.uncompressedSize);
    if (inflated === 'too-big') return REASONS.zipUnderstated(entry.name);
    // APPNOTE §4.4.7: the CRC-32 of the uncompressed data; a mismatch or a short stream is damage.
    if (inflated === 'corrupt' || inflated.size !== entry.uncompressedSize || inflated.crc !== entry.crc32) {
      return REASONS.zipDamaged;
    }
  }
  return undefined;
}
