import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { pollWhileShown } from './poll.js';

describe('pollWhileShown', () => {
  const page = { visibilityState: 'visible' as DocumentVisibilityState };
  beforeEach(() => {
    vi.useFakeTimers();
    page.visibilityState = 'visible';
    vi.stubGlobal('document', page);
  });
  afterEach(() => {
    vi.useRealTimers();
    vi.unstubAllGlobals();
  });

  it('runs at once, then every interval while shown, and stops once removed', async () => {
    const element = { isConnected: false };
    const work = vi.fn(() => Promise.resolve());
    pollWhileShown(element as unknown as HTMLElement, 3_000, work, () => undefined);
    expect(work).toHaveBeenCalledTimes(1); // before the view is even mounted
    element.isConnected = true;
    await vi.advanceTimersByTimeAsync(3_000);
    await vi.advanceTimersByTimeAsync(3_000);
    expect(work).toHaveBeenCalledTimes(3);
    element.isConnected = false;
    await vi.advanceTimersByTimeAsync(30_000);
    expect(work).toHaveBeenCalledTimes(3);
  });

  it('skips turns while the tab is hidden and keeps going after errors', async () => {
    const element = { isConnected: true };
    const errors: unknown[] = [];
    const work = vi.fn(() => Promise.reject(new Error('offline')));
    pollWhileShown(element as unknown as HTMLElement, 1_000, work, (e) => errors.push(e));
    await vi.advanceTimersByTimeAsync(0);
    page.visibilityState = 'hidden';
    await vi.advanceTimersByTimeAsync(5_000);
    expect(work).toHaveBeenCalledTimes(1);
    page.visibilityState = 'visible';
    await vi.advanceTimersByTimeAsync(1_000);
    expect(work).toHaveBeenCalledTimes(2);
    expect(errors.map((e) => (e as Error).message)).toEqual(['offline', 'offline']);
  });
});
