import { describe, expect, it } from 'vitest';
import { controlsFor, downloadStatus, IDLE, type TransferEvent, transition } from './transfer-state.js';

const run = (...events: TransferEvent[]) => events.reduce(transition, IDLE);

describe('transfer state machine', () => {
  it('runs, reports bytes and finishes', () => {
    const state = run({ type: 'start' }, { type: 'progress', loaded: 50, total: 200 });
    expect(state).toEqual({ phase: 'running', attempt: 1, loaded: 50, total: 200 });
    expect(downloadStatus(state, 'Guide')).toBe('Downloading Guide… 25%');
    expect(transition(state, { type: 'finish' })).toEqual({ phase: 'done', attempt: 1 });
  });

  it('says only "Downloading…" while the size is unknown', () => {
    expect(downloadStatus(run({ type: 'start' }), 'photo.png')).toBe('Downloading photo.png…');
  });

  it('offers Try again after a failure, and a retry starts a new attempt from zero', () => {
    const failed = run(
      { type: 'start' },
      { type: 'progress', loaded: 10, total: 20 },
      { type: 'fail', message: 'You are offline — check your connection and try again.' },
    );
    expect(controlsFor(failed)).toEqual({ cancel: false, retry: true });
    expect(downloadStatus(failed, 'x')).toBe('You are offline — check your connection and try again.');
    const again = transition(failed, { type: 'start' });
    expect(again).toEqual({ phase: 'running', attempt: 2, loaded: 0, total: 0 });
    expect(controlsFor(again)).toEqual({ cancel: true, retry: false });
  });

  it('ignores what a cancelled request reports afterwards', () => {
    const cancelled = run({ type: 'start' }, { type: 'cancel' });
    expect(downloadStatus(cancelled, 'x')).toBe('Download cancelled.');
    expect(controlsFor(cancelled)).toEqual({ cancel: false, retry: false });
    expect(transition(cancelled, { type: 'progress', loaded: 5, total: 10 })).toBe(cancelled);
    expect(transition(cancelled, { type: 'fail', message: 'late' })).toBe(cancelled);
    expect(transition(cancelled, { type: 'finish' })).toBe(cancelled);
  });

  it('does not start twice while running, and ends only once', () => {
    const running = run({ type: 'start' });
    expect(transition(running, { type: 'start' })).toBe(running);
    const done = transition(running, { type: 'finish' });
    expect(transition(done, { type: 'fail', message: 'late' })).toBe(done);
    expect(transition(done, { type: 'cancel' })).toBe(done);
  });
});
