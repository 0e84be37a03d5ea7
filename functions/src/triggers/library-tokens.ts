/**
 * Premium library files never keep a download token: one would serve the bytes to anyone, with no
 * sign-in, after any revoke (issue 15). Tokens appear when staff publish through the web SDK (it
 * asks for one on upload) or someone adds one by hand; this removes them whenever an object under
 * content/premium/ is written or its metadata changes. Removing is itself a metadata change, whose
 * event finds no token and stops.
 */
import { type StorageEvent, onObjectFinalized, onObjectMetadataUpdated } from 'firebase-functions/v2/storage';
import { getStorage } from 'firebase-admin/storage';
import { hasDownloadTokens, removeDownloadTokens } from '../files/download-tokens.js';

export const PREMIUM_PREFIX = 'content/premium/';

async function strip(event: StorageEvent): Promise<void> {
  const object = event.data;
  if (!object.name?.startsWith(PREMIUM_PREFIX) || !hasDownloadTokens(object.metadata)) return;
  await removeDownloadTokens(getStorage().bucket(object.bucket), object.name, String(object.generation));
  console.log(`library: removed the download tokens of ${object.name}#${object.generation}`);
}

// Retries are safe: removing tokens twice changes nothing.
export const libraryTokensOnWrite = onObjectFinalized({ retry: true }, strip);
export const libraryTokensOnMetadata = onObjectMetadataUpdated({ retry: true }, strip);
