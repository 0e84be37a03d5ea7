import { describe, expect, it } from 'vitest';
import { parseIntakeRecord, statusText } from './upload-status.js';

describe('statusText', () => {
  it('describes each phase', () => {
    expect(statusText({ phase: 'uploading', fraction: 0.456 })).toBe('Uploading… 45%');
    expect(statusText({ phase: 'uploading', fraction: 1.2 })).toBe('Uploading… 100%');
    expect(statusText({ phase: 'cancelled' })).toBe('Upload cancelled.');
    expect(statusText({ phase: 'failed', message: 'You do not have access to that file.' })).toBe(
      'Upload failed: You do not have access to that file.',
    );
    expect(statusText({ phase: 'checking' })).toBe('Checking the file…');
    expect(statusText({ phase: 'slow' })).toBe('Still checking the file. Come back later to see the result.');
  });

  it('shows the verdict with the intake’s own reason', () => {
    const record = {
      status: 'accepted' as const,
      reason: null,
      size: 10,
      path: 'uploads/u/i/a.png',
      safeName: 'a.png',
    };
    expect(statusText({ phase: 'checked', record })).toBe('Accepted');
    expect(
      statusText({
        phase: 'checked',
        record: { ...record, status: 'rejected', reason: 'This ZIP contains an unsafe path: "../evil.sh".' },
      }),
    ).toBe('Rejected: This ZIP contains an unsafe path: "../evil.sh".');
    expect(statusText({ phase: 'checked', record: { ...record, status: 'rejected' } })).toBe(
      'Rejected: The file could not be checked.',
    );
  });
});

describe('parseIntakeRecord', () => {
  it('reads a verdict and treats anything else as not checked yet', () => {
    expect(
      parseIntakeRecord({ status: 'rejected', reason: 'Too big', size: 5, path: 'p', owner: 'u' }),
    ).toEqual({
      status: 'rejected',
      reason: 'Too big',
      size: 5,
      path: 'p',
      safeName: null,
    });
    expect(
      parseIntakeRecord({ status: 'accepted', size: 5, path: 'p', safeName: 'Invoice.bat.txt' })?.safeName,
    ).toBe('Invoice.bat.txt');
    expect(parseIntakeRecord(undefined)).toBeUndefined();
    expect(parseIntakeRecord({ status: 'pending' })).toBeUndefined();
  });
});
