import { describe, expect, it } from 'vitest';
import { consume } from './window.js';

const HOUR = 3_600_000;

describe('consume', () => {
  it('opens a window on the first call', () => {
    expect(consume(undefined, 1_000, 3, HOUR)).toEqual({
      allowed: true,
      next: { windowStart: 1_000, count: 1 },
      retryAfterMs: 0,
    });
  });

  it('counts calls inside the window and refuses the one over the limit', () => {
    expect(consume({ windowStart: 0, count: 2 }, 10, 3, HOUR)).toEqual({
      allowed: true,
      next: { windowStart: 0, count: 3 },
      retryAfterMs: 0,
    });
    expect(consume({ windowStart: 0, count: 3 }, 600_000, 3, HOUR)).toEqual({
      allowed: false,
      next: { windowStart: 0, count: 3 },
      retryAfterMs: 3_000_000,
    });
  });

  it('starts afresh once the window has passed', () => {
    expect(consume({ windowStart: 0, count: 3 }, HOUR, 3, HOUR)).toEqual({
      allowed: true,
      next: { windowStart: HOUR, count: 1 },
      retryAfterMs: 0,
    });
  });
});
