import type { Bucket } from '../admin.js';
import { storageStatusOf } from './storage-status.js';

/**
 * Where Firebase Storage keeps an object's download tokens: custom metadata, comma-separated. Any
 * holder of `…?alt=media&token=<one of them>` reads the object with no sign-in and no rules.
 */
export const TOKENS_KEY = 'firebaseStorageDownloadTokens';

export function hasDownloadTokens(customMetadata: Record<string, unknown> | null | undefined): boolean {
  const tokens = customMetadata?.[TOKENS_KEY];
  return typeof tokens === 'string' && tokens !== '';
}

/**
 * Revokes every download token of exactly this generation of an object (setting the key to null
 * deletes it). A missing object or a newer generation is not an error: the newer one has an
 * event of its own.
 */
export async function removeDownloadTokens(bucket: Bucket, name: string, generation: string): Promise<void> {
  const file = bucket.file(name);
  try {
    await file.setMetadata({ metadata: { [TOKENS_KEY]: null } }, { ifGenerationMatch: generation });
  } catch (error) {
    if (storageStatusOf(error) === 404 || storageStatusOf(error) === 412) return;
    throw error;
  }
}

/** The areas whose objects must never carry a token (storage.rules lets no client read them). */
export const TOKENLESS_PREFIXES = ['content/premium/', 'uploads/'] as const;

/**
 * Removes every token under the tokenless areas, for buckets that had them before (the admin CLI's
 * `remove-download-tokens`). Returns the names it changed.
 */
export async function sweepDownloadTokens(bucket: Bucket): Promise<string[]> {
  const changed: string[] = [];
  for (const prefix of TOKENLESS_PREFIXES) {
    const [files] = await bucket.getFiles({ prefix });
    for (const file of files) {
      if (!hasDownloadTokens(file.metadata.metadata)) continue;
      await removeDownloadTokens(bucket, file.name, String(file.metadata.generation));
      changed.push(file.name);
    }
  }
  return changed;
}
