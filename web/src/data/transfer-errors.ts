/**
 * Why a download or upload ended without the file, and how that reads to a person. The client
 * sees only a few kinds of failure; each gets one sentence saying what happened and what to do.
 */

export type Direction = 'download' | 'upload';

export type TransferFailure =
  /** The request got no answer at all (fetch rejected, the SDK gave up retrying). */
  | { kind: 'network'; online: boolean }
  /** The answer began and then broke off. */
  | { kind: 'interrupted'; online: boolean }
  /** Nothing moved for `seconds`; the transfer was stopped rather than left hanging. */
  | { kind: 'stalled'; seconds: number; online: boolean }
  /** The server answered with an error status, perhaps with a sentence of its own. */
  | { kind: 'status'; status: number; serverMessage?: string | undefined }
  /** Anything else: no detail worth showing. */
  | { kind: 'other' };

const OFFLINE = 'You are offline — check your connection and try again.';

/** A short machine code for the failure, in the style of the services' own (`download/unavailable`). */
export function failureCode(direction: Direction, failure: TransferFailure): string {
  switch (failure.kind) {
    case 'network':
      return `${direction}/${failure.online ? 'unreachable' : 'offline'}`;
    case 'interrupted':
      return `${direction}/${failure.online ? 'interrupted' : 'offline'}`;
    case 'stalled':
      return `${direction}/${failure.online ? 'stalled' : 'offline'}`;
    case 'status':
      return `${direction}/${statusName(failure.status)}`;
    case 'other':
      return `${direction}/unknown`;
  }
}

/** The canonical error name for an HTTP status (as in Google's APIs' error model). */
export function statusName(status: number): string {
  if (status === 400) return 'invalid-argument';
  if (status === 401) return 'unauthenticated';
  if (status === 403) return 'permission-denied';
  if (status === 404) return 'not-found';
  if (status === 409) return 'aborted';
  if (status === 412) return 'failed-precondition';
  if (status === 429) return 'resource-exhausted';
  if (status === 501) return 'unimplemented';
  if (status === 503) return 'unavailable';
  if (status === 504) return 'deadline-exceeded';
  if (status >= 500) return 'internal';
  return 'unknown';
}

export function failureMessage(direction: Direction, failure: TransferFailure): string {
  const noun = direction === 'download' ? 'download' : 'upload';
  switch (failure.kind) {
    case 'network':
      return failure.online ? 'Cannot reach the server — check your connection and try again.' : OFFLINE;
    case 'interrupted':
      return failure.online ? `The connection broke off during the ${noun}. Try again.` : OFFLINE;
    case 'stalled':
      if (!failure.online) return OFFLINE;
      return direction === 'download'
        ? `The download stopped: nothing arrived for ${failure.seconds} seconds. Try again.`
        : `The upload stopped: nothing was sent for ${failure.seconds} seconds. Try again.`;
    case 'status':
      return statusMessage(direction, failure.status, failure.serverMessage);
    case 'other':
      return `The ${noun} failed. Try again.`;
  }
}

function statusMessage(direction: Direction, status: number, serverMessage: string | undefined): string {
  // A server error says nothing useful to a member beyond "not your fault, try later"; our own
  // functions' 4xx messages are written for people (functions/src/http/downloadFile.ts).
  if (status >= 500) {
    return direction === 'download'
      ? `The server could not send the file (error ${status}). Try again in a moment.`
      : `The server could not take the file (error ${status}). Try again in a moment.`;
  }
  if (serverMessage) return serverMessage;
  if (status === 401) return 'Your session has ended. Sign in again.';
  if (status === 403) return `You do not have access to this file (error 403).`;
  if (status === 404) return 'That file does not exist any more (error 404).';
  if (status === 429) return 'Too many requests at once. Wait a moment and try again.';
  return `The ${direction} failed (error ${status}). Try again.`;
}

/**
 * What a failed Storage SDK upload means. The SDK retries network errors by itself until its
 * retry time runs out (`storage/retry-limit-exceeded`); the rules' refusal is `storage/unauthorized`.
 */
export function uploadFailureOf(code: string | undefined, online: boolean): TransferFailure {
  switch (code) {
    case 'storage/retry-limit-exceeded':
      return { kind: 'network', online };
    case 'storage/server-file-wrong-size':
      return { kind: 'interrupted', online };
    case 'storage/unauthenticated':
      return { kind: 'status', status: 401 };
    case 'storage/unauthorized':
      return { kind: 'status', status: 403, serverMessage: 'You may not upload this file here.' };
    case 'storage/quota-exceeded':
      return { kind: 'status', status: 429 };
    default:
      return online ? { kind: 'other' } : { kind: 'network', online };
  }
}
