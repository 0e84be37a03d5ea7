import { pipeline } from 'node:stream/promises';
import { HttpsError, onRequest } from 'firebase-functions/v2/https';
import type { Request } from 'firebase-functions/v2/https';
import { adminAuth, bucket, db } from '../admin.js';
import type { CallerAuth } from '../auth/caller.js';
import { decideDownload, type IntakeRecord } from '../downloads/access.js';
import { attachmentDisposition } from '../downloads/disposition.js';
import { type DownloadTarget, parseDownloadPath } from '../downloads/file-path.js';
import { parseRange } from '../downloads/range.js';
import { entitlementRef, toEntitlement } from '../premium/entitlement.js';

/**
 * Premium library files and message attachments, served to the one who may read them now.
 * Storage rules keep clients away from these objects entirely: any reader Storage admits can
 * read an object's metadata, and reading it mints a permanent download token that bypasses the
 * rules (what getDownloadURL does). Here the caller's ID token is verified (and checked for
 * revocation), and premium is read from entitlements/{uid} on every request.
 *
 * `GET /api/download?path=<object>` with `Authorization: Bearer <ID token>`; one byte range
 * is honoured. Errors are `{ error: { status, message } }` like callables'.
 */
export const downloadFile = onRequest({ memory: '512MiB', timeoutSeconds: 300 }, async (req, res) => {
  res.set('Cache-Control', 'private, no-store');
  res.set('X-Content-Type-Options', 'nosniff');
  try {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.set('Allow', 'GET, HEAD');
      throw new HttpsError('invalid-argument', 'Only GET and HEAD are answered here.');
    }
    const target = parseDownloadPath(req.query.path);
    const auth = await callerOf(req);
    const grant = decideDownload(auth, target, await recordsFor(auth, target), Math.floor(Date.now() / 1000));

    const file = bucket().file(target.path);
    const [exists] = await file.exists();
    if (!exists) throw new HttpsError('not-found', 'That file does not exist.');
    const [metadata] = await file.getMetadata();
    const size = Number(metadata.size ?? 0);
    res.set('Content-Type', grant.contentType ?? metadata.contentType ?? 'application/octet-stream');
    res.set('Content-Disposition', attachmentDisposition(grant.fileName));
    // The bytes are served only to be saved or shown by the app, never rendered as a page here.
    res.set('Content-Security-Policy', "default-src 'none'; sandbox");
    res.set('Accept-Ranges', 'bytes');
    const range = parseRange(req.get('range'), size);
    if (range === 'unsatisfiable') {
      res.status(416).set('Content-Range', `bytes */${size}`).end();
      return;
    }
    if (range) res.status(206).set('Content-Range', `bytes ${range.start}-${range.end}/${size}`);
    res.set('Content-Length', String(range ? range.end - range.start + 1 : size));
    if (req.method === 'HEAD' || size === 0) {
      res.end();
      return;
    }
    await pipeline(file.createReadStream({ validation: false, ...(range ?? {}) }), res);
  } catch (error) {
    if (res.headersSent) {
      console.error('downloadFile: failed while sending', error);
      res.destroy();
      return;
    }
    const known = error instanceof HttpsError ? error : undefined;
    if (!known) console.error('downloadFile:', error);
    const answer = known ?? new HttpsError('internal', 'The download failed. Try again.');
    res
      .status(answer.httpErrorCode.status)
      .json({ error: { status: answer.httpErrorCode.canonicalName, message: answer.message } });
  }
});

async function callerOf(req: Request): Promise<CallerAuth> {
  const match = /^Bearer (\S+)$/.exec(req.get('authorization') ?? '');
  if (!match) throw new HttpsError('unauthenticated', 'Sign in to download this file.');
  try {
    // checkRevoked: a disabled account or signed-out sessions stop downloading at once.
    const token = await adminAuth().verifyIdToken(match[1]!, true);
    return { uid: token.uid, token: token as unknown as Record<string, unknown> };
  } catch {
    throw new HttpsError('unauthenticated', 'Your session has ended. Sign in again.');
  }
}

async function recordsFor(auth: CallerAuth, target: DownloadTarget) {
  if (target.area === 'premium') {
    return { entitlement: toEntitlement((await entitlementRef(auth.uid).get()).data()) };
  }
  const data = (await db().doc(`uploads/${target.uploadId}`).get()).data();
  const intake: IntakeRecord | undefined = data
    ? {
        owner: String(data.owner),
        path: String(data.path),
        status: String(data.status),
        detectedType: typeof data.detectedType === 'string' ? data.detectedType : null,
        safeName: typeof data.safeName === 'string' ? data.safeName : null,
      }
    : undefined;
  return { intake };
}
