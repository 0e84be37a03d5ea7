import { describe, expect, it } from 'vitest';
import { describeError, errorFields, FieldError } from './errors.js';

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

describe('account lifecycle errors', () => {
  it('says a taken username plainly', () => {
    expect(describeError({ code: 'portal/username-taken' })).toBe('That username is taken.');
  });

  it('passes through the deletion precondition written by the function', () => {
    expect(
      describeError({
        code: 'functions/failed-precondition',
        message: 'Sign in again to delete your account.',
      }),
    ).toBe('Sign in again to delete your account.');
  });

  it('explains expired links and wrong SMS codes', () => {
    expect(describeError({ code: 'auth/invalid-action-code' })).toBe(
      'This link has expired or has already been used. Ask for a new one.',
    );
    expect(describeError({ code: 'auth/invalid-verification-code' })).toBe(
      'That code is not right. Check the text message and try again.',
    );
  });
});

describe('errorFields', () => {
  it('ties an error to the fields it may be about, never the sign-in pair', () => {
    expect(errorFields({ code: 'auth/weak-password' })).toEqual(['password', 'password-new']);
    expect(errorFields({ code: 'portal/username-taken' })).toEqual(['username']);
    expect(errorFields(new FieldError('username', 'Too short.'))).toEqual(['username']);
    // The sign-in form's fields are "email" and "password": neither is named for a wrong login.
    expect(errorFields({ code: 'auth/invalid-credential' })).not.toContain('password');
    expect(errorFields({ code: 'auth/invalid-credential' })).not.toContain('email');
    expect(errorFields({ code: 'auth/network-request-failed' })).toEqual([]);
    expect(describeError(new FieldError('username', 'Too short.'))).toBe('Too short.');
  });
});
