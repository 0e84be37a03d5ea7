/**
 * What the intake accepts, in one place, so the function, its tests and the reasons shown to
 * members never disagree. Figures come from issue 8.
 */

const MiB = 1024 * 1024;

/** Every attachment, whatever its type. */
export const MAX_FILE_BYTES = 20 * MiB;

export const ZIP_LIMITS = {
  maxEntries: 1_000,
  maxTotalUncompressed: 200 * MiB,
  /** Uncompressed : compressed, per entry, from the sizes the archive declares. */
  maxRatio: 100,
} as const;

export type ZipLimits = { [K in keyof typeof ZIP_LIMITS]: number };

export const MAX_IMAGE_SIDE = 10_000;

/**
 * The canonical types a member may declare, and the detected types each one admits. Nothing else:
 * an Office document or a Java archive is a ZIP underneath, but is refused when declared as one.
 */
export const ALLOWED_TYPES = {
  // file-type calls a PNG with an animation control chunk APNG; it is still a PNG.
  'image/png': ['image/png', 'image/apng'],
  'image/jpeg': ['image/jpeg'],
  'image/webp': ['image/webp'],
  'image/gif': ['image/gif'],
  'application/pdf': ['application/pdf'],
  'text/plain': ['text/plain'],
  'application/zip': ['application/zip'],
} as const satisfies Record<string, readonly string[]>;

export type AllowedType = keyof typeof ALLOWED_TYPES;

/**
 * Other spellings browsers really send for the allowed types: Chrome and Edge on Windows label
 * `.zip` as `application/x-zip-compressed` (from the registry), and old tools still say `image/jpg`.
 */
const ALIASES: Record<string, AllowedType> = {
  'application/x-zip-compressed': 'application/zip',
  'application/x-zip': 'application/zip',
  'image/jpg': 'image/jpeg',
  'image/pjpeg': 'image/jpeg',
};

/** Lower-cased, parameters (`; charset=…`) dropped, aliases folded; undefined if not allowed. */
export function canonicalDeclaredType(contentType: string | undefined | null): AllowedType | undefined {
  if (!contentType) return undefined;
  const bare = contentType.split(';', 1)[0]!.trim().toLowerCase();
  if (Object.hasOwn(ALLOWED_TYPES, bare)) return bare as AllowedType;
  return ALIASES[bare];
}
