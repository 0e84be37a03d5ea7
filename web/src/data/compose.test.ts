import { describe, expect, it } from 'vitest';
import {
  composeMessage,
  MAX_TEXT_LENGTH,
  rateLimitedText,
  secondsUntilWindowEnds,
  windowSteps,
} from './compose.js';

const file = (i: number) => ({ id: `upload${i}`, name: `f${i}.png` });

describe('composeMessage', () => {
  it('trims the text and keeps only id and name of each attachment', () => {
    const withExtra = { ...file(1), status: 'checking' };
    expect(composeMessage('  hello \n', [withExtra])).toEqual({
      ok: true,
      text: 'hello',
      attachments: [{ id: 'upload1', name: 'f1.png' }],
    });
  });

  it('allows attachments without text, and exactly 4,000 characters', () => {
    expect(composeMessage('', [file(1)])).toMatchObject({ ok: true, text: '' });
    expect(composeMessage('x'.repeat(MAX_TEXT_LENGTH), [])).toMatchObject({ ok: true });
  });

  it('refuses empty messages, long texts and a sixth attachment', () => {
    expect(composeMessage('   ', [])).toEqual({
      ok: false,
      reason: 'Write a message or attach a file first.',
    });
    expect(composeMessage('x'.repeat(4001), [])).toEqual({
      ok: false,
      reason: 'A message can be at most 4,000 characters; this one has 4,001.',
    });
    expect(composeMessage('hi', [1, 2, 3, 4, 5, 6].map(file))).toEqual({
      ok: false,
      reason: 'You can attach up to 5 files to a message.',
    });
  });
});

describe('windowSteps', () => {
  const start = 1_000_000;

  it('starts a window for the first message', () => {
    expect(windowSteps(null, start)).toEqual([{ kind: 'new' }]);
  });

  it('counts on within the minute, with a new window as the fallback for clock skew', () => {
    expect(windowSteps({ windowStart: start, windowCount: 3 }, start + 59_999)).toEqual([
      { kind: 'same', windowCount: 4 },
      { kind: 'new' },
    ]);
  });

  it('starts a new window after the minute, counting on as the fallback', () => {
    expect(windowSteps({ windowStart: start, windowCount: 3 }, start + 60_000)).toEqual([
      { kind: 'new' },
      { kind: 'same', windowCount: 4 },
    ]);
  });

  it('never offers an 11th message in the same window', () => {
    expect(windowSteps({ windowStart: start, windowCount: 10 }, start + 1_000)).toEqual([{ kind: 'new' }]);
    expect(windowSteps({ windowStart: start, windowCount: 10 }, start + 61_000)).toEqual([{ kind: 'new' }]);
  });
});

describe('rate-limit wording', () => {
  it('says how long to wait, in whole seconds, at least one', () => {
    expect(secondsUntilWindowEnds({ windowStart: 0, windowCount: 10 }, 15_500)).toBe(45);
    expect(secondsUntilWindowEnds({ windowStart: 0, windowCount: 10 }, 70_000)).toBe(1);
    expect(rateLimitedText(45)).toBe('You can send up to 10 messages a minute. Try again in 45 seconds.');
    expect(rateLimitedText(1)).toBe('You can send up to 10 messages a minute. Try again in 1 second.');
  });
});
