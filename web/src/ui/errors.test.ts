import { describe, expect, it } from 'vitest';
import { describeError } from './errors.js';

describe('describeError', () => {
  it('gives the same message for an unknown email and a wrong password (no account enumeration)', () => {
    expect(describeError({ code: 'auth/user-not-found' })).toBe(
      describeError({ code: 'auth/wrong-password' }),
    );
    expect(describeError({ code: 'auth/invalid-credential' })).toBe('Email or password is incorrect.');
  });

  it('passes through the readable message of a callable error it does not know', () => {
    expect(
      describeError({ code: 'functions/invalid-argument', message: 'Code must be 12 characters.' }),
    ).toBe('Code must be 12 characters.');
  });

  it('never shows raw internals for unknown errors', () => {
    expect(describeError(new Error('TypeError: x is undefined'))).toBe(
      'Something went wrong. Please try again.',
    );
    expect(describeError('boom')).toBe('Something went wrong. Please try again.');
  });
});
