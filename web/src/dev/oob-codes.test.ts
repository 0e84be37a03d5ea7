import { describe, expect, it } from 'vitest';
import { actionLink, latestCode } from './oob-codes.js';

const codes = [
  { email: 'a@example.com', requestType: 'VERIFY_EMAIL', oobCode: 'old' },
  { email: 'b@example.com', requestType: 'VERIFY_EMAIL', oobCode: 'other-member' },
  { email: 'A@example.com', requestType: 'PASSWORD_RESET', oobCode: 'reset' },
  { email: 'a@example.com', requestType: 'VERIFY_EMAIL', oobCode: 'new' },
  {
    email: 'a@example.com',
    newEmail: 'z@example.com',
    requestType: 'VERIFY_AND_CHANGE_EMAIL',
    oobCode: 'change',
  },
];

describe('latestCode', () => {
  it('picks the newest code of the kind for the address, ignoring case', () => {
    expect(latestCode(codes, 'A@Example.com', 'VERIFY_EMAIL')?.oobCode).toBe('new');
    expect(latestCode(codes, 'a@example.com', 'PASSWORD_RESET')?.oobCode).toBe('reset');
  });

  it('finds an email change by the new address, not the current one', () => {
    expect(latestCode(codes, 'z@example.com', 'VERIFY_AND_CHANGE_EMAIL')?.oobCode).toBe('change');
    expect(latestCode(codes, 'a@example.com', 'VERIFY_AND_CHANGE_EMAIL')).toBeNull();
  });

  it('returns null when nothing is pending', () => {
    expect(latestCode(codes, 'c@example.com', 'VERIFY_EMAIL')).toBeNull();
    expect(latestCode(codes, 'b@example.com', 'PASSWORD_RESET')).toBeNull();
  });
});

describe('actionLink', () => {
  it('points at the app with the mode and code the action page expects', () => {
    expect(actionLink('http://127.0.0.1:5173', 'VERIFY_EMAIL', 'a/b+c')).toBe(
      'http://127.0.0.1:5173/?mode=verifyEmail&oobCode=a%2Fb%2Bc',
    );
    expect(actionLink('http://x', 'PASSWORD_RESET', 'r')).toBe('http://x/?mode=resetPassword&oobCode=r');
  });
});
