/**
 * What a member may attach, checked in the browser before any byte is sent. The same limits are
 * enforced by storage.rules (size, declared type) and by the intake function (real type, zip
 * contents); this copy only saves members a wasted upload and explains the refusal up front.
 */

export const MAX_ATTACHMENTS = 5;
export const MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024;
const MAX_NAME_LENGTH = 120;

/** The content types storage.rules accepts, with the file extensions that imply each. */
const TYPES = {
  'image/png': ['png'],
  'image/jpeg': ['jpg', 'jpeg', 'jfif'],
  'image/webp': ['webp'],
  'image/gif': ['gif'],
  'application/pdf': ['pdf'],
  'text/plain': ['txt', 'text', 'log'],
  'application/zip': ['zip'],
} as const satisfies Record<string, readonly string[]>;

export type AttachmentType = keyof typeof TYPES;

/** Spellings browsers really use: Chrome on Windows labels .zip files application/x-zip-compressed. */
const ALIASES: Record<string, AttachmentType> = {
  'application/x-zip-compressed': 'application/zip',
  'application/x-zip': 'application/zip',
  'image/jpg': 'image/jpeg',
  'image/pjpeg': 'image/jpeg',
};

/** The `accept` attribute of the file picker. */
export const ACCEPT = [
  ...Object.keys(TYPES),
  ...Object.values(TYPES).flatMap((extensions) => extensions.map((e) => `.${e}`)),
].join(',');

export const ALLOWED_TYPES_SENTENCE =
  'Send a PNG, JPEG, WebP or GIF image, a PDF, a plain-text file or a ZIP archive.';

export interface FileFacts {
  name: string;
  size: number;
  /** What the browser says; often empty for unusual extensions. */
  type: string;
}

export type AttachmentCheck =
  { ok: true; contentType: AttachmentType; fileName: string } | { ok: false; reason: string };

function extensionOf(name: string): string {
  const dot = name.lastIndexOf('.');
  return dot > 0 ? name.slice(dot + 1).toLowerCase() : '';
}

/**
 * The content type to upload with: the browser's, canonicalised, or else the one the extension
 * implies. Undefined when neither is allowed.
 */
export function attachmentType(file: Pick<FileFacts, 'name' | 'type'>): AttachmentType | undefined {
  const declared = file.type.split(';', 1)[0]!.trim().toLowerCase();
  if (declared) {
    if (Object.hasOwn(TYPES, declared)) return declared as AttachmentType;
    return ALIASES[declared];
  }
  const extension = extensionOf(file.name);
  for (const [type, extensions] of Object.entries(TYPES) as Array<[AttachmentType, readonly string[]]>) {
    if (extensions.includes(extension)) return type;
  }
  return undefined;
}

/**
 * A name that is safe as the last segment of `uploads/{uid}/{id}/{name}`: no slashes or control
 * characters, at most 120 characters with the extension kept.
 */
export function safeFileName(name: string): string {
  const cleaned = Array.from(name, (ch) => (/[\p{Cc}\p{Cf}/\\]/u.test(ch) ? '_' : ch))
    .join('')
    .trim();
  const base = cleaned === '' || cleaned === '.' || cleaned === '..' ? 'file' : cleaned;
  const chars = Array.from(base);
  if (chars.length <= MAX_NAME_LENGTH) return base;
  const extension = extensionOf(base);
  const tail = extension && extension.length <= 10 ? `.${extension}` : '';
  return chars.slice(0, MAX_NAME_LENGTH - tail.length).join('') + tail;
}

/** Checks one more file against the limits, given how many are already attached. */
export function checkAttachment(file: FileFacts, alreadyAttached: number): AttachmentCheck {
  const shown = safeFileName(file.name);
  if (alreadyAttached >= MAX_ATTACHMENTS) {
    return { ok: false, reason: `You can attach up to ${MAX_ATTACHMENTS} files to a message.` };
  }
  const contentType = attachmentType(file);
  if (!contentType) {
    return { ok: false, reason: `"${shown}" is not a type of file we accept. ${ALLOWED_TYPES_SENTENCE}` };
  }
  if (file.size === 0) return { ok: false, reason: `"${shown}" is empty.` };
  if (file.size > MAX_ATTACHMENT_BYTES) return { ok: false, reason: `"${shown}" is larger than 20 MB.` };
  return { ok: true, contentType, fileName: shown };
}

/** 128 random bits as 32 hex digits: unguessable, and a valid Firestore id and Storage segment. */
export function newUploadId(
  random: (bytes: Uint8Array) => Uint8Array = (b) => crypto.getRandomValues(b),
): string {
  return Array.from(random(new Uint8Array(16)), (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/** "1.2 MB", "340 KB", "12 bytes": sizes as people read them. */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} ${bytes === 1 ? 'byte' : 'bytes'}`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  return `${(bytes / (1024 * 1024)).toFixed(1)} MB`;
}
