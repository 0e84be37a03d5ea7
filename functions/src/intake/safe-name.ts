/**
 * The name staff see and save for an upload (`uploads/{id}.safeName`). The member chooses the
 * object's file name, so it may be built to mislead (`Invoice\u202Efdp.bat` displays as
 * `Invoicetab.pdf`), to break a save (`aux.txt`, `notes.`), or to hand a script an extension that
 * runs it. The safe name keeps what is harmless of the member's name and makes the rest true:
 *
 * 1. invisible and direction-changing characters are removed (name-rules.ts), the rest NFC-normalised;
 * 2. characters Windows refuses (`<>:"/\|?*`) become `_`;
 * 3. dots and spaces are dropped at the end, before the extension and at the start (where a dot
 *    hides a file on macOS and Linux);
 * 4. the extension must open the detected type (`.png .jpg/.jpeg .webp .gif .pdf .txt .zip`, in any
 *    case); otherwise the right one is appended (`x.html` of plain text is `x.html.txt`);
 * 5. at most 100 characters and 240 UTF-8 bytes, cut between graphemes, the extension kept;
 * 6. `file` when nothing is left; `_` before a DOS device name (`_aux.txt`).
 *
 * Rejected records get one too (their bytes are deleted, but the name is still listed): when the
 * detected type is not one the intake accepts, or unknown, no extension is forced, so a program
 * stays `setup.exe` and shows for what it is.
 */
import {
  HIDDEN_CHARACTERS,
  isWindowsDeviceName,
  TRAILING_DOTS_AND_SPACES,
  WINDOWS_ILLEGAL_CHARACTERS,
} from './name-rules.js';

/** The extensions that open each accepted type; the first is the one appended. */
const EXTENSIONS: Readonly<Record<string, readonly string[]>> = {
  'image/png': ['.png'],
  'image/apng': ['.png'],
  'image/jpeg': ['.jpg', '.jpeg'],
  'image/webp': ['.webp'],
  'image/gif': ['.gif'],
  'application/pdf': ['.pdf'],
  'text/plain': ['.txt'],
  'application/zip': ['.zip'],
};

export const MAX_SAFE_NAME_CHARACTERS = 100;
/** ext4 and APFS allow 255 bytes per name; leave room for a ` (2)` a download may add. */
const MAX_SAFE_NAME_BYTES = 240;
/** For types with no expected extension: anything longer after the last dot is just part of the name. */
const MAX_KEPT_EXTENSION = 16;
const FALLBACK = 'file';

const graphemes = new Intl.Segmenter(undefined, { granularity: 'grapheme' });

export function safeName(fileName: string, detectedType: string | null): string {
  const cleaned = fileName
    .replace(HIDDEN_CHARACTERS, '')
    .normalize('NFC')
    .replace(WINDOWS_ILLEGAL_CHARACTERS, '_')
    .replace(TRAILING_DOTS_AND_SPACES, '');
  const dot = cleaned.lastIndexOf('.');
  let stem = dot >= 0 ? cleaned.slice(0, dot) : cleaned;
  let extension = dot >= 0 ? cleaned.slice(dot) : '';
  const expected = detectedType === null ? undefined : EXTENSIONS[detectedType];
  if (expected ? !expected.includes(extension.toLowerCase()) : extension.length > MAX_KEPT_EXTENSION) {
    stem += extension;
    extension = expected?.[0] ?? '';
  }
  stem = stem.replace(/^[. ]+/, '');
  const name = fit(stem, extension);
  return isWindowsDeviceName(name) ? fit(`_${stem}`, extension) : name;
}

/** The stem cut to what the limits leave beside the extension, never inside a grapheme. */
function fit(stem: string, extension: string): string {
  let characters = MAX_SAFE_NAME_CHARACTERS - [...extension].length;
  let bytes = MAX_SAFE_NAME_BYTES - Buffer.byteLength(extension);
  let kept = '';
  for (const { segment } of graphemes.segment(stem)) {
    characters -= [...segment].length;
    bytes -= Buffer.byteLength(segment);
    if (characters < 0 || bytes < 0) break;
    kept += segment;
  }
  return (kept.replace(TRAILING_DOTS_AND_SPACES, '') || FALLBACK) + extension;
}
