import { HttpsError } from 'firebase-functions/v2/https';

/** What may be downloaded through downloadFile: the two areas no client reads from Storage directly. */
export type DownloadTarget =
  { area: 'premium'; path: string } | { area: 'upload'; path: string; owner: string; uploadId: string };

const ID = /^[A-Za-z0-9_-]{1,128}$/;
const MAX_PATH = 1024;

/**
 * Paths come from the client, so they are parsed strictly: no empty, `.` or `..` segments and no
 * control characters, so a path can name only the object it spells.
 */
export function parseDownloadPath(raw: unknown): DownloadTarget {
  if (typeof raw !== 'string' || raw.length === 0) throw invalid('Name the file to download.');
  if (raw.length > MAX_PATH) throw invalid('That file path is too long.');
  // eslint-disable-next-line no-control-regex -- control characters are exactly what is refused.
  if (/[\u0000-\u001f\u007f]/.test(raw)) throw invalid('That file path contains control characters.');
  const parts = raw.split('/');
  if (parts.some((p) => p === '' || p === '.' || p === '..')) throw invalid('That is not a file path.');
  if (parts[0] === 'content' && parts[1] === 'premium' && parts.length >= 3)
    return { area: 'premium', path: raw };
  if (parts[0] === 'uploads' && parts.length === 4 && ID.test(parts[1]!) && ID.test(parts[2]!)) {
    return { area: 'upload', path: raw, owner: parts[1]!, uploadId: parts[2]! };
  }
  throw invalid('Only premium library files and message attachments are downloaded here.');
}

function invalid(message: string): HttpsError {
  return new HttpsError('invalid-argument', message);
}
