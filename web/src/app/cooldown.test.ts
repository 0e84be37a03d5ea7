import { describe, expect, it } from 'vitest';
import { secondsLeft } from './cooldown.js';

describe('secondsLeft', () => {
  it('is 0 when the action never ran or the cooldown has passed', () => {
    expect(secondsLeft(null, 1_000, 60_000)).toBe(0);
    expect(secondsLeft(0, 60_000, 60_000)).toBe(0);
    expect(secondsLeft(0, 90_000, 60_000)).toBe(0);
  });

  it('rounds the remaining time up to whole seconds', () => {
    expect(secondsLeft(0, 0, 60_000)).toBe(60);
    expect(secondsLeft(0, 59_001, 60_000)).toBe(1);
    expect(secondsLeft(0, 30_500, 60_000)).toBe(30);
  });
});
