import { describe, expect, it } from 'vitest';
import { confirmationFor, confirms, deletionFailure, stepFraction, stepText } from './account-deletion.js';

describe('confirmation', () => {
  it('asks for the username, or the email address when the profile cannot be read', () => {
    expect(confirmationFor('Ada_L', 'ada@example.com')).toEqual({ kind: 'username', word: 'Ada_L' });
    expect(confirmationFor(null, 'ada@example.com')).toEqual({
      kind: 'email address',
      word: 'ada@example.com',
    });
  });

  it('accepts the word in any case, with stray spaces, and nothing else', () => {
    const confirmation = confirmationFor('Ada_L', null);
    expect(confirms(' ada_l ', confirmation)).toBe(true);
    expect(confirms('ada', confirmation)).toBe(false);
    expect(confirms('', confirmation)).toBe(false);
  });

  it('can never be confirmed when there is nothing to type', () => {
    expect(confirms('', confirmationFor(null, null))).toBe(false);
  });
});

describe('steps', () => {
  it('counts the steps and moves the bar forward', () => {
    expect(stepText('confirming')).toBe('Step 1 of 3: checking your password…');
    expect(stepText('signing-out')).toBe('Step 3 of 3: signing you out…');
    expect([stepFraction('confirming'), stepFraction('deleting')]).toEqual([0, 1 / 3]);
  });
});

describe('deletionFailure', () => {
  it('never shows the Functions SDK’s bare "internal" for a lost connection', () => {
    expect(deletionFailure('functions/internal', true)).toBe(
      'The server did not finish deleting your account. Try again.',
    );
    expect(deletionFailure('functions/internal', false)).toBe(
      'You are offline — check your connection and try again.',
    );
  });

  it('leaves errors that already read well to ui/errors.ts', () => {
    expect(deletionFailure('auth/invalid-credential', true)).toBeUndefined();
    expect(deletionFailure('functions/failed-precondition', true)).toBeUndefined();
  });
});
