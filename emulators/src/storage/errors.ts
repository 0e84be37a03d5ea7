/**
 * An error that maps onto one HTTP reply. `body` is sent as JSON; without it the reply follows the
 * Google API error shape `{error:{code,message}}` that both the Firebase SDK (kept as
 * `serverResponse`) and @google-cloud/storage (ApiError.message) read.
 */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly body?: unknown,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  toBody(): unknown {
    return this.body ?? { error: { code: this.status, message: this.message } };
  }
}

export function badRequest(message: string): HttpError {
  return new HttpError(400, message);
}

/**
 * Denials use the exact texts of firebase-tools' storage emulator
 * (`lib/emulator/storage/apis/firebase.js`): "Permission denied. No READ|WRITE|LIST permission.".
 */
export function permissionDenied(kind: 'READ' | 'WRITE' | 'LIST'): HttpError {
  return new HttpError(403, `Permission denied. No ${kind} permission.`);
}

/** GCS JSON API 404 shape (FT `apis/gcloud.js` `sendObjectNotFound`). */
export function gcsNotFound(bucket: string, name: string): HttpError {
  const message = `No such object: ${bucket}/${name}`;
  return new HttpError(404, message, {
    error: {
      code: 404,
      message,
      errors: [{ message, domain: 'global', reason: 'notFound' }],
    },
  });
}
