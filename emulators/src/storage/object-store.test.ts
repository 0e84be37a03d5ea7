import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ObjectMetadata } from './metadata.js';
import { compareUtf8, ObjectStore } from './object-store.js';

let dir: string;
let store: ObjectStore;

function meta(bucket: string, name: string): ObjectMetadata {
  const now = new Date().toISOString();
  return {
    bucket,
    name,
    generation: 1,
    metageneration: 1,
    size: 1,
    md5Hash: '',
    crc32c: 0,
    contentType: 'text/plain',
    customMetadata: {},
    downloadTokens: [],
    timeCreated: now,
    updated: now,
    storageClass: 'STANDARD',
  };
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'storage-store-test-'));
  store = new ObjectStore(dir);
  await store.init();
  for (const name of ['a/1', 'a/2', 'a/b/3', 'a/c/4', 'a/d', 'b/5', 'top']) {
    const w = store.newWriter();
    await w.appendBuffer(Buffer.from('x'));
    await store.commit(meta('bk', name), w);
  }
  const w = store.newWriter();
  await store.commit(meta('other', 'a/1'), w);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const names = (r: ReturnType<ObjectStore['list']>) => ({
  items: r.items.map((o) => o.meta.name),
  prefixes: r.prefixes,
  next: r.nextPageToken !== undefined,
});

describe('ObjectStore.list', () => {
  it('groups by delimiter and keeps buckets apart', () => {
    expect(names(store.list('bk', { prefix: 'a/', delimiter: '/', maxResults: 100 }))).toEqual({
      items: ['a/1', 'a/2', 'a/d'],
      prefixes: ['a/b/', 'a/c/'],
      next: false,
    });
    expect(names(store.list('bk', { prefix: '', delimiter: '/', maxResults: 100 }))).toEqual({
      items: ['top'],
      prefixes: ['a/', 'b/'],
      next: false,
    });
    expect(
      store.list('other', { prefix: '', delimiter: '', maxResults: 100 }).items.map((o) => o.meta.name),
    ).toEqual(['a/1']);
  });

  it('pages over items and prefixes in one order', () => {
    const seen: string[] = [];
    let pageToken: string | undefined;
    do {
      const page = store.list('bk', {
        prefix: 'a/',
        delimiter: '/',
        maxResults: 2,
        pageToken,
      });
      seen.push(...page.items.map((o) => o.meta.name), ...page.prefixes);
      expect(page.items.length + page.prefixes.length).toBeLessThanOrEqual(2);
      pageToken = page.nextPageToken;
    } while (pageToken);
    expect(seen.sort()).toEqual(['a/1', 'a/2', 'a/b/', 'a/c/', 'a/d']);
  });

  it('orders names by UTF-8 bytes (code points), not UTF-16 units', () => {
    const astral = '\u{1F600}'; // surrogate pair, code point U+1F600
    const bmpHigh = '\uFF21'; // U+FF21, above the surrogate range in UTF-16
    expect(compareUtf8(bmpHigh, astral)).toBeLessThan(0);
    expect(bmpHigh < astral).toBe(false); // plain JS comparison gets this wrong
    expect(compareUtf8('a', 'ab')).toBeLessThan(0);
    expect(compareUtf8('b', 'ab')).toBeGreaterThan(0);
    expect(compareUtf8('x', 'x')).toBe(0);
  });
});
