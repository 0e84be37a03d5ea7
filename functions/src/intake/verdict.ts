/**
 * The intake decision for one file: accepted, or rejected with one sentence a member can act on.
 *
 * Order of checks (the first failure is the reason):
 * 1. empty, then larger than 20 MB;
 * 2. the real type from the bytes; a declared type outside the allowed list; a detected type the
 *    declared one does not admit (see ALLOWED_TYPES in policy.ts: each declared type admits only
 *    itself, so a `.docx` or `.jar` sent as a ZIP is refused like a program sent as a PNG);
 * 3. polyglots, which are refused whatever their first format says:
 *    - any non-ZIP file in which a ZIP reader would find an archive (an end-of-central-directory
 *      record near the end whose directory is really there) "contains a hidden archive": that is a
 *      PDF, image or text with a ZIP appended, or a ZIP whose first bytes were made to read `%PDF`;
 *    - a ZIP with `%PDF` in its first 1,024 bytes (where PDF readers look for the header) "is both a
 *      ZIP archive and a PDF document";
 *    - stray bytes between or after a ZIP's entries are refused by the ZIP inspection itself;
 * 4. the format's own checks: image headers and dimensions, the PDF trailer, the ZIP inspection
 *    (structure, names and declared sizes first, then each entry's real size and CRC-32,
 *    zip-verify.ts);
 * 5. active content: a PDF with JavaScript, launch or media actions or an XFA form, or one that
 *    cannot be checked for them (pdf-active.ts); plain text that is a web page or script
 *    (text-active.ts). ZIP entries that are programs or scripts are refused in step 4.
 */
import { sha256Hex } from './hash.js';
import { inspectImage, isInspectableImage } from './image-header.js';
import { findPdfActiveContent, type PdfProblem } from './pdf-active.js';
import {
  ALLOWED_TYPES,
  canonicalDeclaredType,
  MAX_FILE_BYTES,
  type ZipLimits,
  ZIP_LIMITS,
} from './policy.js';
import { REASONS } from './reasons.js';
import { describeType, sniffType } from './sniff.js';
import { looksLikePageOrScript } from './text-active.js';
import { containsZipDirectory, inspectZip } from './zip-inspect.js';
import { verifyZipContents } from './zip-verify.js';

export interface IntakeInput {
  bytes: Uint8Array;
  /** The object's contentType as the client set it. */
  declaredType: string | undefined;
}

export interface Verdict {
  status: 'accepted' | 'rejected';
  /** Null when accepted. */
  reason: string | null;
  /** Canonical form when allowed (`image/jpeg` for `image/jpg`), else as sent. */
  declaredType: string | null;
  detectedType: string | null;
  size: number;
  sha256: string;
}

export interface DecideOptions {
  maxBytes?: number;
  zipLimits?: ZipLimits;
}

const PDF_HEADER_WINDOW = 1024;
const PDF_TRAILER_WINDOW = 1024;

export async function decide(input: IntakeInput, options: DecideOptions = {}): Promise<Verdict> {
  const { bytes } = input;
  const sha256 = sha256Hex(bytes);
  const canonical = canonicalDeclaredType(input.declaredType);
  const declaredType = canonical ?? (input.declaredType ? input.declaredType.slice(0, 200) : null);
  const base = { declaredType, size: bytes.length, sha256 };
  const reject = (reason: string, detectedType: string | null = null): Verdict => ({
    ...base,
    status: 'rejected',
    reason,
    detectedType,
  });

  try {
    if (bytes.length === 0) return reject(REASONS.empty);
    if (bytes.length > (options.maxBytes ?? MAX_FILE_BYTES)) return reject(REASONS.tooLarge);

    const detected = await sniffType(bytes);
    const detectedType = detected ?? null;
    if (!canonical) return reject(REASONS.notAllowed(input.declaredType ?? 'none'), detectedType);
    const admitted: readonly string[] = ALLOWED_TYPES[canonical];
    if (detected === undefined || !admitted.includes(detected)) {
      return reject(REASONS.mismatch(describeType(canonical), describeType(detected)), detectedType);
    }

    const problem = await formatProblem(bytes, detected, options.zipLimits ?? ZIP_LIMITS);
    if (problem) return reject(problem, detectedType);
    return { ...base, status: 'accepted', reason: null, detectedType };
  } catch (error) {
    // Every parser above is bounds-checked; this is the last line for a bug, never for bad input
    // (the fuzz tests call the parsers directly to keep it that way).
    console.error('intake: unexpected error while checking a file', error);
    return reject(REASONS.unreadable);
  }
}

async function formatProblem(
  bytes: Uint8Array,
  detected: string,
  zipLimits: ZipLimits,
): Promise<string | undefined> {
  if (detected === 'application/zip') {
    if (indexOfAscii(bytes.subarray(0, PDF_HEADER_WINDOW), '%PDF') >= 0) return REASONS.zipPdfPolyglot;
    const zip = inspectZip(bytes, zipLimits);
    return zip.ok ? verifyZipContents(bytes, zip.contents) : zip.reason;
  }
  if (containsZipDirectory(bytes)) return REASONS.hiddenArchive;
  if (isInspectableImage(detected)) {
    const image = inspectImage(bytes, detected);
    return image.ok ? undefined : image.reason;
  }
  if (detected === 'application/pdf') {
    // ISO 32000-1 §7.5.5: the file ends with `%%EOF`; writers may add a line end or a little
    // padding after it, so look in the last kilobyte.
    const tail = bytes.subarray(Math.max(0, bytes.length - PDF_TRAILER_WINDOW));
    if (indexOfAscii(tail, '%%EOF') < 0) return REASONS.pdfDamaged;
    const active = findPdfActiveContent(bytes);
    return active ? PDF_REASONS[active] : undefined;
  }
  if (detected === 'text/plain' && looksLikePageOrScript(bytes)) return REASONS.textActive;
  return undefined;
}

const PDF_REASONS: Record<PdfProblem, string> = {
  launch: REASONS.pdfLaunch,
  javascript: REASONS.pdfJavaScript,
  rendition: REASONS.pdfRendition,
  xfa: REASONS.pdfXfa,
  encrypted: REASONS.pdfEncrypted,
  uncheckable: REASONS.pdfUncheckable,
  damaged: REASONS.pdfDamaged,
};

function indexOfAscii(haystack: Uint8Array, needle: string): number {
  return Buffer.from(haystack.buffer, haystack.byteOffset, haystack.byteLength).indexOf(needle, 0, 'latin1');
}
