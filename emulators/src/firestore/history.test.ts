import { describe, expect, it } from 'vitest';
import { FirestoreError } from './errors.js';
import { History } from './history.js';
import { Store, type StoredDoc } from './store.js';
import { formatTimestamp } from './timestamps.js';

const at = (ms: number) => formatTimestamp(Math.floor(ms / 1000), (ms % 1000) * 1_000_000);
const T0 = Date.UTC(2026, 0, 1);

function doc(path: string, v: number, created: number, updated: number): StoredDoc {
  return {
    path,
    fields: { v: { integerValue: String(v) } },
    createTime: at(created),
    updateTime: at(updated),
  };
}

function code(fn: () => void): number | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof FirestoreError) return e.code;
    throw e;
  }
  return undefined;
}

describe('History (firestore.proto read_time: the document as of that time)', () => {
  it('answers each version within its lifetime and nothing between a delete and a re-create', () => {
    const h = new History(3_600_000, 100, () => T0 + 10_000);
    const v1 = doc('c/a', 1, T0 + 1000, T0 + 1000);
    const v2 = doc('c/a', 2, T0 + 1000, T0 + 2000);
    const v3 = doc('c/a', 3, T0 + 4000, T0 + 4000);
    h.replaced(v1, at(T0 + 2000));
    h.replaced(v2, at(T0 + 3000)); // deleted at +3 s, created again at +4 s
    const v = (t: number) => h.docAt('c/a', v3, at(t))?.fields['v'];
    expect(v(T0 + 999)).toBeUndefined();
    expect(v(T0 + 1000)).toEqual({ integerValue: '1' });
    expect(v(T0 + 1999)).toEqual({ integerValue: '1' });
    expect(v(T0 + 2000)).toEqual({ integerValue: '2' });
    expect(v(T0 + 3500)).toBeUndefined();
    expect(v(T0 + 4000)).toEqual({ integerValue: '3' });
  });

  it('refuses a future read time (INVALID_ARGUMENT) and one older than the window (FAILED_PRECONDITION), as Google emulator answers', () => {
    const now = T0 + 2 * 3_600_000;
    const h = new History(3_600_000, 100, () => now);
    expect(code(() => h.check(at(now + 1), at(now)))).toBe(3);
    expect(code(() => h.check(at(now - 3_600_001), at(now)))).toBe(9);
    expect(code(() => h.check(at(now - 3_599_000), at(now)))).toBeUndefined();
  });

  it('drops versions once no readable time can see them (bounded memory)', () => {
    let now = T0;
    const h = new History(1000, 100, () => now);
    for (let i = 0; i < 50; i++) h.replaced(doc(`c/d${i}`, i, T0, T0), at(T0 + 1));
    expect(h.size).toBe(50);
    now = T0 + 2000;
    h.prune();
    expect(h.size).toBe(0);
  });

  it('keeps at most maxVersions and then refuses reads from before the oldest kept', () => {
    const h = new History(3_600_000, 10, () => T0 + 100_000);
    for (let i = 1; i <= 20; i++) h.replaced(doc('c/a', i, T0, T0 + i * 1000 - 1000), at(T0 + i * 1000));
    expect(h.size).toBe(10);
    expect(code(() => h.check(at(T0 + 5000), at(T0 + 100_000)))).toBe(9);
    expect(code(() => h.check(at(T0 + 11_000), at(T0 + 100_000)))).toBeUndefined();
    expect(h.docAt('c/a', undefined, at(T0 + 11_500))?.fields['v']).toEqual({ integerValue: '12' });
  });

  it('builds a snapshot with deleted documents back and later ones left out', () => {
    const h = new History(3_600_000, 100, () => T0 + 10_000);
    const store = new Store();
    store.put(doc('c/new', 1, T0 + 5000, T0 + 5000));
    store.put(doc('c/kept', 2, T0, T0));
    h.replaced(doc('c/gone', 3, T0, T0), at(T0 + 3000));
    h.replaced(doc('d/other', 4, T0, T0), at(T0 + 3000));
    const snap = h.snapshot(store, at(T0 + 1000), (p) => p === 'c');
    expect(snap.collectionDocs('c').map((d) => d.path)).toEqual(['c/gone', 'c/kept']);
    expect(snap.collectionDocs('d')).toEqual([]);
  });
});
