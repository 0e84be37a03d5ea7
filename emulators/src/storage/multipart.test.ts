import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BlobWriter } from './blob-writer.js';
import { streamMultipartUpload } from './multipart.js';

let dir: string;
let n = 0;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'storage-multipart-test-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const CT = 'multipart/related; boundary=bnd';

function body(meta: string, data: Buffer, dataHeaders = 'Content-Type: image/png\r\n'): Buffer {
  return Buffer.concat([
    Buffer.from(
      `--bnd\r\nContent-Type: application/json; charset=utf-8\r\n\r\n${meta}\r\n--bnd\r\n${dataHeaders}\r\n`,
    ),
    data,
    Buffer.from('\r\n--bnd--\r\n'),
  ]);
}

function* chunks(buf: Buffer, size: number): Generator<Buffer> {
  for (let i = 0; i < buf.length; i += size) yield buf.subarray(i, i + size);
}

async function* asAsync(it: Iterable<Buffer>): AsyncGenerator<Buffer> {
  yield* it;
}

async function parse(b: Buffer, chunkSize: number) {
  const writer = new BlobWriter(join(dir, `blob-${++n}`));
  try {
    const head = await streamMultipartUpload(CT, asAsync(chunks(b, chunkSize)), writer, 10 * 1024 * 1024);
    await writer.moveTo(join(dir, `done-${n}`));
    return { head, data: await readFile(join(dir, `done-${n}`)) };
  } catch (err) {
    await writer.discard();
    throw err;
  }
}

describe('streaming multipart/related parser', () => {
  it('splits metadata and data regardless of how the body is chunked', async () => {
    // Data that contains near-misses of the delimiter.
    const data = Buffer.concat([Buffer.from('\r\n--bn\r\n--bnX'), randomBytes(70_000), Buffer.from('\r\n-')]);
    const b = body('{"name":"x","metadata":{"a":"1"}}', data);
    for (const size of [1, 2, 7, 13, 4096, 65_536, b.length]) {
      const { head, data: got } = await parse(b, size);
      expect(head.metadata).toEqual({ name: 'x', metadata: { a: '1' } });
      expect(head.dataContentType).toBe('image/png');
      expect(got.equals(data)).toBe(true);
    }
  });

  it('accepts an empty data part and a data part without headers', async () => {
    expect((await parse(body('{}', Buffer.alloc(0)), 3)).data.length).toBe(0);
    const { head, data } = await parse(body('{}', Buffer.from('raw'), ''), 5);
    expect(head.dataContentType).toBeUndefined();
    expect(data.toString()).toBe('raw');
  });

  it('rejects truncated bodies, extra parts, bad JSON and a missing boundary parameter', async () => {
    const good = body('{}', Buffer.from('data'));
    await expect(parse(good.subarray(0, good.length - 12), 4)).rejects.toMatchObject({ status: 400 });
    const three = Buffer.from('--bnd\r\n\r\n{}\r\n--bnd\r\n\r\nA\r\n--bnd\r\n\r\nB\r\n--bnd--');
    await expect(parse(three, 3)).rejects.toMatchObject({ status: 400 });
    await expect(parse(body('{nope', Buffer.from('x')), 8)).rejects.toMatchObject({ status: 400 });
    const onlyMeta = Buffer.from('--bnd\r\n\r\n{}\r\n--bnd--');
    await expect(parse(onlyMeta, 8)).rejects.toMatchObject({ status: 400 });
    const writer = new BlobWriter(join(dir, 'nb'));
    await expect(
      streamMultipartUpload('multipart/related', asAsync([good]), writer, 100),
    ).rejects.toMatchObject({
      status: 400,
    });
    await writer.discard();
  });

  it('refuses data beyond the size limit with 413 and writes nothing', async () => {
    const writer = new BlobWriter(join(dir, 'limit'));
    await expect(
      streamMultipartUpload(CT, asAsync(chunks(body('{}', randomBytes(5000)), 512)), writer, 4096),
    ).rejects.toMatchObject({ status: 413 });
    expect(writer.size).toBe(0);
    await writer.discard();
  });
});
