import { describe, expect, it } from 'vitest';
import { parseRange } from './range.js';

// RFC 9110 §14.1.2 examples, for a 10,000-byte representation.
describe('parseRange', () => {
  it('reads first-last, open-ended and suffix ranges', () => {
    expect(parseRange('bytes=0-499', 10_000)).toEqual({ start: 0, end: 499 });
    expect(parseRange('bytes=9500-', 10_000)).toEqual({ start: 9500, end: 9999 });
    expect(parseRange('bytes=-500', 10_000)).toEqual({ start: 9500, end: 9999 });
    expect(parseRange('bytes=9000-20000', 10_000)).toEqual({ start: 9000, end: 9999 });
  });

  it('answers the whole file for no, several or malformed ranges', () => {
    expect(parseRange(undefined, 10)).toBeUndefined();
    expect(parseRange('bytes=0-1,5-6', 10)).toBeUndefined();
    expect(parseRange('items=0-1', 10)).toBeUndefined();
    expect(parseRange('bytes=5-1', 10)).toBeUndefined();
  });

  it('calls a range past the end unsatisfiable', () => {
    expect(parseRange('bytes=10-', 10)).toBe('unsatisfiable');
    expect(parseRange('bytes=-0', 10)).toBe('unsatisfiable');
  });
});
