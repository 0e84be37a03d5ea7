/**
 * Every sentence a member can see in `uploads/{id}.reason`. Kept together so the wording stays
 * consistent and the tests can assert exact texts.
 */
import { HIDDEN_CHARACTER } from './name-rules.js';
import { MAX_IMAGE_SIDE, ZIP_LIMITS } from './policy.js';

const thousands = (n: number): string => n.toLocaleString('en-US');
const MiB = 1024 * 1024;

/** Names come from the attacker: keep them short and printable in the sentence. */
export function displayName(name: string): string {
  const printable = Array.from(name, (ch) => (HIDDEN_CHARACTER.test(ch) ? '?' : ch)).join('');
  return printable.length > 80 ? `${printable.slice(0, 77)}...` : printable;
}

export const REASONS = {
  unreadable: 'The file could not be read.',
  empty: 'The file is empty.',
  tooLarge: 'The file is larger than 20 MB.',
  notAllowed: (declared: string): string =>
    `Files of type "${displayName(declared)}" are not accepted. Send a PNG, JPEG, WebP or GIF image, a PDF, a plain-text file or a ZIP archive.`,
  mismatch: (declared: string, detected: string): string =>
    `The file says it is ${declared} but its contents are ${detected}.`,
  hiddenArchive: 'The file contains a hidden archive.',
  zipPdfPolyglot: 'The file is both a ZIP archive and a PDF document.',

  imageDamaged: 'The image is truncated or damaged.',
  imageTooLarge: (width: number, height: number): string =>
    `The image is ${thousands(width)} × ${thousands(height)} pixels; the limit is ${thousands(MAX_IMAGE_SIDE)} × ${thousands(MAX_IMAGE_SIDE)}.`,
  pdfDamaged: 'The PDF is truncated or damaged.',
  pdfJavaScript: 'This PDF contains JavaScript, which is not accepted. Printing it to a new PDF removes it.',
  pdfLaunch:
    'This PDF contains an action that starts a program, which is not accepted. Printing it to a new PDF removes it.',
  pdfRendition:
    'This PDF contains a media action, which can run scripts and is not accepted. Printing it to a new PDF removes it.',
  pdfXfa:
    'This PDF is an XFA form, which can run scripts and is not accepted. Printing it to a new PDF removes it.',
  pdfEncrypted:
    'This PDF is encrypted in a way that hides its contents from checking. Send an unprotected copy instead.',
  pdfUncheckable:
    'This PDF stores its contents in a way that cannot be checked. Printing it to a new PDF usually fixes this.',

  textActive: 'This text file looks like a web page or script, which is not accepted.',

  zipDamaged: 'The ZIP archive is truncated or damaged.',
  zipSplit: 'Split (multi-part) ZIP archives are not accepted.',
  zipTooManyEntries: `This ZIP has more than ${thousands(ZIP_LIMITS.maxEntries)} entries.`,
  zipTooBig: `This ZIP expands to more than ${ZIP_LIMITS.maxTotalUncompressed / MiB} MB.`,
  zipRatio: (name: string): string =>
    `This ZIP contains an entry compressed more than ${ZIP_LIMITS.maxRatio} to 1 ("${displayName(name)}"), the mark of a zip bomb.`,
  zipOverlap: 'This ZIP has overlapping entries, the mark of a zip bomb.',
  zipEncrypted: 'This ZIP contains encrypted entries, which cannot be checked.',
  zipUnsafePath: (name: string): string => `This ZIP contains an unsafe path: "${displayName(name)}".`,
  zipHiddenCharacters: (name: string): string =>
    `This ZIP contains a name with invisible or direction-changing characters: "${displayName(name)}".`,
  zipTrailingDot: (name: string): string =>
    `This ZIP contains a name ending in a dot or a space, which Windows cannot keep: "${displayName(name)}".`,
  zipDeviceName: (name: string): string =>
    `This ZIP contains a name Windows reserves for a device: "${displayName(name)}".`,
  zipActiveContent: (name: string): string =>
    `This ZIP contains a program, script or web page ("${displayName(name)}"); these are not accepted.`,
  zipSymlink: (name: string): string => `This ZIP contains a symbolic link: "${displayName(name)}".`,
  zipDuplicate: (name: string): string => `This ZIP contains "${displayName(name)}" twice.`,
  zipNested: (name: string): string =>
    `This ZIP contains another archive ("${displayName(name)}"); archives inside archives are not accepted.`,
  zipMethod: (name: string): string =>
    `This ZIP uses a compression method other than Store or Deflate ("${displayName(name)}").`,
  zipInconsistent: "This ZIP's entries do not match its directory.",
  zipUnderstated: (name: string): string =>
    `This ZIP holds more data than it declares ("${displayName(name)}"), the mark of a zip bomb.`,
  zipExtraData: 'This ZIP contains data outside its entries.',
} as const;
