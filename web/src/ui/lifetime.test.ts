import { describe, expect, it, vi } from 'vitest';
import { stopWith } from './lifetime.js';

describe('stopWith', () => {
  it('stops the listener once, when the page is replaced', () => {
    const life = new AbortController();
    const stop = vi.fn();
    stopWith(life.signal, stop);
    expect(stop).not.toHaveBeenCalled();
    life.abort();
    life.abort();
    expect(stop).toHaveBeenCalledTimes(1);
  });

  it('stops at once a listener started for a page already replaced', () => {
    const life = new AbortController();
    life.abort();
    const stop = vi.fn();
    stopWith(life.signal, stop);
    expect(stop).toHaveBeenCalledTimes(1);
  });
});
