import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { guardTransfer, stallTimer, TransferStopped } from './stall.js';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('stallTimer', () => {
  it('fires once after the quiet time, and progress pushes it back', () => {
    const onStall = vi.fn();
    const timer = stallTimer(1000, onStall);
    vi.advanceTimersByTime(900);
    timer.touch();
    vi.advanceTimersByTime(900);
    expect(onStall).not.toHaveBeenCalled();
    vi.advanceTimersByTime(100);
    expect(onStall).toHaveBeenCalledTimes(1);
    timer.touch();
    vi.advanceTimersByTime(5000);
    expect(onStall).toHaveBeenCalledTimes(1);
  });

  it('never fires once stopped', () => {
    const onStall = vi.fn();
    stallTimer(1000, onStall).stop();
    vi.advanceTimersByTime(5000);
    expect(onStall).not.toHaveBeenCalled();
  });
});

describe('guardTransfer', () => {
  it('passes the result through while progress keeps coming', async () => {
    const result = guardTransfer(
      (_signal, progress) =>
        new Promise<string>((resolve) => {
          let chunks = 0;
          const tick = setInterval(() => {
            progress();
            if (++chunks === 10) {
              clearInterval(tick);
              resolve('bytes');
            }
          }, 500);
        }),
      { stallMs: 1000 },
    );
    await vi.advanceTimersByTimeAsync(5000);
    await expect(result).resolves.toBe('bytes');
  });

  it('stops a transfer that goes quiet, aborting its signal, even if the work ignores it', async () => {
    let seen: AbortSignal | undefined;
    const result = guardTransfer(
      (signal) => {
        seen = signal;
        return new Promise<never>(() => undefined);
      },
      { stallMs: 1000 },
    );
    const outcome = result.catch((error: unknown) => error);
    await vi.advanceTimersByTimeAsync(1000);
    const error = await outcome;
    expect(error).toBeInstanceOf(TransferStopped);
    expect((error as TransferStopped).reason).toBe('stalled');
    expect(seen?.aborted).toBe(true);
  });

  it('stops at once when the member cancels', async () => {
    const cancel = new AbortController();
    const result = guardTransfer(() => new Promise<never>(() => undefined), {
      stallMs: 60_000,
      cancel: cancel.signal,
    });
    const outcome = result.catch((error: unknown) => error);
    cancel.abort();
    expect(((await outcome) as TransferStopped).reason).toBe('cancelled');
  });

  it('passes the work’s own failure through unchanged', async () => {
    const failure = Object.assign(new Error('503'), { code: 'download/unavailable' });
    await expect(guardTransfer(() => Promise.reject(failure), { stallMs: 1000 })).rejects.toBe(failure);
  });
});
