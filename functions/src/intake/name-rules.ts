/**
 * What makes a file name deceptive or unusable on the machines staff save files to. Shared by the
 * ZIP entry checks (zip-names.ts), which refuse such names, and by safe-name.ts, which repairs the
 * member's own file name, so both agree on one definition.
 */

/**
 * Characters that change how a name reads without showing themselves:
 * - general category Cc: C0 controls U+0000–U+001F, DEL U+007F, C1 controls U+0080–U+009F;
 * - general category Cf (format characters), which holds the bidi marks, embeddings, overrides and
 *   isolates (U+061C, U+200E, U+200F, U+202A–U+202E, U+2066–U+2069) that make `exe.pdf` display as
 *   `fdp.exe`, the zero-width space, non-joiner and joiner U+200B–U+200D, the word joiner and
 *   invisible operators U+2060–U+2064, U+FEFF, the soft hyphen U+00AD, U+180E, the interlinear
 *   annotation marks U+FFF9–U+FFFB and the tag characters U+E0001, U+E0020–U+E007F;
 * - Zl and Zp: U+2028 and U+2029, which break the line a name is listed on;
 * - the Hangul fillers U+115F, U+1160, U+3164 and U+FFA0: letters by category, drawn as blanks.
 * Variation selectors and combining marks are left alone: they only change the glyph they follow.
 */
const HIDDEN = '\\p{Cc}\\p{Cf}\\p{Zl}\\p{Zp}\\u115F\\u1160\\u3164\\uFFA0';

export const HIDDEN_CHARACTER = new RegExp(`[${HIDDEN}]`, 'u');
export const HIDDEN_CHARACTERS = new RegExp(`[${HIDDEN}]`, 'gu');

/** Characters Windows refuses in a file name (control characters are in HIDDEN_CHARACTERS). */
export const WINDOWS_ILLEGAL_CHARACTERS = /[<>:"/\\|?*]/g;

/**
 * DOS device names, which Windows opens as the device whatever the folder or extension: `aux.txt`
 * and `nul .tar.gz` are the AUX and NUL devices. Microsoft's naming rules list the superscript
 * digits too, and CONIN$ / CONOUT$ open the console.
 */
const DEVICE = /^(?:con|prn|aux|nul|conin\$|conout\$|(?:com|lpt)[0-9\u00b9\u00b2\u00b3])$/i;

/** True for one path segment that Windows would take for a device. */
export function isWindowsDeviceName(segment: string): boolean {
  const beforeDot = segment.split('.', 1)[0]!.replace(/ +$/, '');
  return DEVICE.test(beforeDot);
}

/** Windows drops trailing dots and spaces, so `a.txt.` and `a.txt ` both become `a.txt`. */
export function endsInDotOrSpace(segment: string): boolean {
  return /[. ]$/.test(segment);
}

export const TRAILING_DOTS_AND_SPACES = /[. ]+$/;
