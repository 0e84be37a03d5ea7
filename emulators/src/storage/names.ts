/**
 * Object and bucket name validation. GCS limits names to 1–1024 bytes of valid UTF-8 without
 * CR/LF and forbids `.` and `..` as names (https://cloud.google.com/storage/docs/objects#naming).
 * Empty segments are valid names there (`a//b`, folder placeholders such as `folder/`), and both
 * production and Google's emulator accept them, so we do too. We stay stricter on two points:
 * every C0 control character and DEL is refused, and so are `.`/`..` *segments*, because names
 * become rules paths where `..` would be ambiguous. Lists on the Firebase API leave out names that
 * are not Firebase paths (`isFirebasePath`), as the web SDK expects.
 */

export const MAX_OBJECT_NAME_BYTES = 1024;

export class InvalidNameError extends Error {}

// A lone UTF-16 surrogate cannot be encoded as UTF-8 (Node would silently write U+FFFD).
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

export function validateObjectName(name: string): void {
  if (name.length === 0) throw new InvalidNameError('Object name must not be empty.');
  if (LONE_SURROGATE.test(name)) throw new InvalidNameError('Object name is not valid UTF-8.');
  if (Buffer.byteLength(name, 'utf8') > MAX_OBJECT_NAME_BYTES) {
    throw new InvalidNameError(`Object name exceeds ${MAX_OBJECT_NAME_BYTES} bytes of UTF-8.`);
  }
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is rejected.
  if (/[\u0000-\u001f\u007f]/.test(name)) {
    throw new InvalidNameError('Object name must not contain control characters.');
  }
  for (const segment of name.split('/')) {
    if (segment === '.' || segment === '..') {
      throw new InvalidNameError('Object name must not contain "." or ".." path segments.');
    }
  }
}

export function isValidObjectName(name: string): boolean {
  try {
    validateObjectName(name);
    return true;
  } catch {
    return false;
  }
}

/**
 * A name the Firebase SDK can address as a reference path: no empty segment once one leading `/`
 * is ignored (firebase-tools `isValidNonEncodedPathString`). `/v0` lists skip other names.
 */
export function isFirebasePath(path: string): boolean {
  const p = path.startsWith('/') ? path.slice(1) : path;
  return p !== '' && !p.split('/').includes('');
}

/** Loose check (GCS bucket naming): lower-case letters, digits, `-`, `_`, `.`; 3–222 characters. */
export function isValidBucketName(bucket: string): boolean {
  return /^[a-z0-9][a-z0-9._-]{1,220}[a-z0-9]$/.test(bucket) && !bucket.includes('..');
}
