// File intake (functions/src/intake): throughput of the whole verdict — sha256, type sniffing,
// polyglot scan and the format's own checks — on 20 MB files, the largest the intake accepts.
import { performance } from 'node:perf_hooks';
import { noise, png, text, zip } from '../functions/src/intake/test-support/corpus.js';
import { decide } from '../functions/src/intake/verdict.js';
import { type BenchResult, report } from './harness.js';

const MiB = 1024 * 1024;
const RUNS = 7;

/** Text that compresses like prose (about 3:1), from a seeded pick of words. */
function words(length: number, seed: number): string {
  const vocabulary = [
    'member',
    'portal',
    'upload',
    'the',
    'a',
    'message',
    'staff',
    'premium',
    'zip',
    'photo',
  ];
  const r = noise(length, seed + 1000);
  let out = '';
  for (let i = 0; out.length < length; i++)
    out += `${vocabulary[r[i]! % 10]}${r[i]! & 0x80 ? ' ' : '\n'}${r[i]! & 7}`;
  return out;
}

function twentyMegabyteZip(): Buffer {
  // 400 entries: most stored noise (photos, already-compressed data), some deflated text.
  const entries = Array.from({ length: 400 }, (_, i) =>
    i % 10 === 0
      ? { name: `docs/notes-${i}.txt`, data: text(words(50_000, i)) }
      : { name: `photos/img-${i}.bin`, data: noise(56_500, i + 1), method: 0 as const },
  );
  return zip(entries);
}

function twentyMegabytePng(): Buffer {
  // A real chunk structure (IHDR, one 20 MB IDAT with a valid CRC, IEND); the IDAT is not
  // decodable, which the header checks never look at.
  return png(4000, 3000, { idat: noise(20 * MiB - 64) });
}

async function measure(name: string, bytes: Buffer, declaredType: string): Promise<BenchResult> {
  const first = await decide({ bytes, declaredType });
  if (first.status !== 'accepted') throw new Error(`${name}: expected accepted, got ${first.reason}`);
  const samples: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now();
    await decide({ bytes, declaredType });
    const seconds = (performance.now() - start) / 1000;
    samples.push(bytes.length / MiB / seconds);
  }
  return {
    name: `intake: verdict throughput, ${name}`,
    method: `decide() on one ${(bytes.length / MiB).toFixed(1)} MiB ${name} held in memory, after one warm-up run`,
    unit: 'MiB/s',
    samples,
    better: 'higher',
  };
}

const results = [
  await measure('ZIP (400 entries)', twentyMegabyteZip(), 'application/zip'),
  await measure('PNG', twentyMegabytePng(), 'image/png'),
  await measure(
    'plain text',
    Buffer.from('The quick brown fox — jumps.\n'.repeat((20 * MiB) / 31)),
    'text/plain',
  ),
];
report(results);
