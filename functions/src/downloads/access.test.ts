import { describe, expect, it } from 'vitest';
import { decideDownload, type IntakeRecord } from './access.js';
import type { DownloadTarget } from './file-path.js';

const NOW = 1_800_000_000;
const member = { uid: 'm1', token: { email_verified: true } };
const other = { uid: 'm2', token: { email_verified: true } };
const staff = {
  uid: 's1',
  token: { email_verified: true, staff: true, firebase: { sign_in_second_factor: 'phone' } },
};
const premium: DownloadTarget = { area: 'premium', path: 'content/premium/tutorial.webm' };
const upload: DownloadTarget = {
  area: 'upload',
  path: 'uploads/m1/abcdefghijklmnop/a.txt',
  owner: 'm1',
  uploadId: 'abcdefghijklmnop',
};
const accepted: IntakeRecord = {
  owner: 'm1',
  path: upload.path,
  status: 'accepted',
  detectedType: 'text/plain',
  safeName: 'a.txt',
};

function code(run: () => unknown): string | undefined {
  try {
    run();
    return undefined;
  } catch (error) {
    return (error as { code?: string }).code;
  }
}

describe('premium files', () => {
  it('follow the entitlement record, not the claims in the token', () => {
    const claimsOnly = { uid: 'm1', token: { email_verified: true, premium: true } };
    expect(code(() => decideDownload(claimsOnly, premium, {}, NOW))).toBe('permission-denied');
    const revoked = { active: false, until: null, source: 'staff' as const };
    expect(code(() => decideDownload(claimsOnly, premium, { entitlement: revoked }, NOW))).toBe(
      'permission-denied',
    );
    const ended = { active: true, until: NOW - 1, source: 'code' as const };
    expect(code(() => decideDownload(member, premium, { entitlement: ended }, NOW))).toBe(
      'permission-denied',
    );
    const active = { active: true, until: NOW + 60, source: 'code' as const };
    expect(decideDownload(member, premium, { entitlement: active }, NOW)).toEqual({
      contentType: null,
      fileName: null,
    });
  });

  it('are open to staff signed in with a second factor only', () => {
    expect(decideDownload(staff, premium, {}, NOW)).toBeDefined();
    const noSecondFactor = { uid: 's1', token: { email_verified: true, staff: true } };
    expect(code(() => decideDownload(noSecondFactor, premium, {}, NOW))).toBe('permission-denied');
  });

  it('need a verified email and a caller', () => {
    const active = { active: true, until: null, source: 'staff' as const };
    expect(code(() => decideDownload({ uid: 'm1', token: {} }, premium, { entitlement: active }, NOW))).toBe(
      'permission-denied',
    );
    expect(code(() => decideDownload(undefined, premium, { entitlement: active }, NOW))).toBe(
      'unauthenticated',
    );
  });
});

describe('attachments', () => {
  it('are served to their member and staff, typed and named from the intake record', () => {
    expect(decideDownload(member, upload, { intake: accepted }, NOW)).toEqual({
      contentType: 'text/plain',
      fileName: 'a.txt',
    });
    expect(decideDownload(staff, upload, { intake: accepted }, NOW)).toBeDefined();
    expect(code(() => decideDownload(other, upload, { intake: accepted }, NOW))).toBe('permission-denied');
  });

  it('are not served before the intake accepted exactly this file', () => {
    expect(code(() => decideDownload(member, upload, {}, NOW))).toBe('failed-precondition');
    const elsewhere = { ...accepted, path: 'uploads/m1/abcdefghijklmnop/other.txt' };
    expect(code(() => decideDownload(member, upload, { intake: elsewhere }, NOW))).toBe(
      'failed-precondition',
    );
    expect(
      code(() => decideDownload(member, upload, { intake: { ...accepted, status: 'rejected' } }, NOW)),
    ).toBe('not-found');
  });
});
