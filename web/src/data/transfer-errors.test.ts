import { describe, expect, it } from 'vitest';
import { failureCode, failureMessage, statusName, uploadFailureOf } from './transfer-errors.js';

describe('failureMessage', () => {
  it('tells an offline member so, whatever broke first', () => {
    const offline = 'You are offline — check your connection and try again.';
    expect(failureMessage('download', { kind: 'network', online: false })).toBe(offline);
    expect(failureMessage('download', { kind: 'interrupted', online: false })).toBe(offline);
    expect(failureMessage('upload', { kind: 'stalled', seconds: 20, online: false })).toBe(offline);
  });

  it('separates an unreachable server, a broken-off answer and a stall', () => {
    expect(failureMessage('download', { kind: 'network', online: true })).toBe(
      'Cannot reach the server — check your connection and try again.',
    );
    expect(failureMessage('download', { kind: 'interrupted', online: true })).toBe(
      'The connection broke off during the download. Try again.',
    );
    expect(failureMessage('download', { kind: 'stalled', seconds: 20, online: true })).toBe(
      'The download stopped: nothing arrived for 20 seconds. Try again.',
    );
    expect(failureMessage('upload', { kind: 'stalled', seconds: 3, online: true })).toBe(
      'The upload stopped: nothing was sent for 3 seconds. Try again.',
    );
  });

  it('names the status of a server error instead of its internal text', () => {
    expect(
      failureMessage('download', { kind: 'status', status: 503, serverMessage: 'upstream connect error' }),
    ).toBe('The server could not send the file (error 503). Try again in a moment.');
    expect(failureMessage('upload', { kind: 'status', status: 500 })).toBe(
      'The server could not take the file (error 500). Try again in a moment.',
    );
  });

  it('keeps the sentence our functions write for a refusal (downloadFile errors)', () => {
    expect(
      failureMessage('download', {
        kind: 'status',
        status: 403,
        serverMessage: 'Premium access is needed for this file.',
      }),
    ).toBe('Premium access is needed for this file.');
    expect(failureMessage('download', { kind: 'status', status: 403 })).toBe(
      'You do not have access to this file (error 403).',
    );
    expect(failureMessage('download', { kind: 'status', status: 401 })).toBe(
      'Your session has ended. Sign in again.',
    );
  });
});

describe('failureCode', () => {
  it('uses the canonical names of Google APIs for statuses (google.rpc.Code)', () => {
    expect(failureCode('download', { kind: 'status', status: 403 })).toBe('download/permission-denied');
    expect(failureCode('download', { kind: 'status', status: 503 })).toBe('download/unavailable');
    expect(failureCode('upload', { kind: 'network', online: false })).toBe('upload/offline');
    expect(statusName(502)).toBe('internal');
    expect(statusName(418)).toBe('unknown');
  });
});

describe('uploadFailureOf (Storage SDK error codes)', () => {
  it('reads the SDK giving up on retries as a network failure', () => {
    expect(uploadFailureOf('storage/retry-limit-exceeded', true)).toEqual({ kind: 'network', online: true });
    expect(uploadFailureOf('storage/unknown', false)).toEqual({ kind: 'network', online: false });
    expect(uploadFailureOf('storage/unknown', true)).toEqual({ kind: 'other' });
    expect(failureMessage('upload', uploadFailureOf('storage/unauthorized', true))).toBe(
      'You may not upload this file here.',
    );
  });
});
