/**
 * Entry names a ZIP must not carry beyond the traversal rules of zip-inspect.ts: names that read
 * differently from what they are, names Windows extracts somewhere else or not at all, and names of
 * programs and scripts that run when double-clicked after extraction.
 */
import {
  endsInDotOrSpace,
  HIDDEN_CHARACTER,
  isWindowsDeviceName,
  TRAILING_DOTS_AND_SPACES,
} from './name-rules.js';
import { REASONS } from './reasons.js';

/** Segments of a name; a directory entry's trailing slash does not make an empty last segment. */
function segmentsOf(name: string): string[] {
  const segments = name.split('/');
  if (segments.length > 1 && segments[segments.length - 1] === '') segments.pop();
  return segments;
}

/**
 * The reason to refuse an entry name, if any: invisible or bidi characters (name-rules.ts), a
 * segment ending in a dot or space, or a segment that is a DOS device name. Control characters are
 * refused before this, as unsafe paths.
 */
export function entryNameProblem(name: string): string | undefined {
  if (HIDDEN_CHARACTER.test(name)) return REASONS.zipHiddenCharacters(name);
  for (const segment of segmentsOf(name)) {
    if (endsInDotOrSpace(segment)) return REASONS.zipTrailingDot(name);
    if (isWindowsDeviceName(segment)) return REASONS.zipDeviceName(name);
  }
  return undefined;
}

/**
 * Two entries with the same key land on the same file on Windows or macOS: case is folded (upper
 * then lower case, so `ß`/`SS` and the Kelvin sign fold too, which at worst refuses a pair some file
 * systems would keep apart), names are NFC-normalised as macOS compares them, and trailing dots and
 * spaces are dropped from each segment as Windows does.
 */
export function collisionKey(name: string): string {
  return segmentsOf(name.replace(/\/+$/, ''))
    .map((segment) => segment.replace(TRAILING_DOTS_AND_SPACES, ''))
    .join('/')
    .normalize('NFC')
    .toUpperCase()
    .toLowerCase();
}

/**
 * Extensions that run something when opened from a file manager: Windows programs, installers and
 * shortcuts, Windows script hosts and shells, Unix shells and macOS `.command` / `.app` bundles,
 * Python (the Windows launcher runs `.py` on double-click), and web pages and SVG, which open in a
 * browser and run their scripts. Archives (`.jar` among them) are refused earlier as nested archives.
 */
const ACTIVE_EXTENSIONS = new RegExp(
  '\\.(?:' +
    [
      'exe|com|scr|pif|cpl|dll|ocx|sys|msi|msp|mst|msix|msixbundle|appx|appxbundle|application|appref-ms',
      'lnk|url|scf|inf|reg|msc|chm|hta|gadget|diagcab|settingcontent-ms|library-ms|searchconnector-ms',
      'bat|cmd|ps1|psm1|psd1|ps1xml|psc1|vb|vbs|vbe|js|jse|mjs|cjs|wsf|wsh|wsc|ws|jar',
      'sh|bash|zsh|csh|ksh|command|tool|app|desktop|run|py|pyw|pyz',
      'html|htm|xhtml|xht|shtml|mht|mhtml|svg|svgz|xsl|xslt',
    ].join('|') +
    ')$',
  'i',
);

/**
 * True when a file entry's name has such an extension, or when any folder on its path is a macOS
 * `.app` bundle (whose program inside has no extension). Other folders may look like anything:
 * `example.com/` is a folder, not a DOS program.
 */
export function isActiveContentName(name: string): boolean {
  const segments = segmentsOf(name).map((segment) => segment.replace(TRAILING_DOTS_AND_SPACES, ''));
  const file = name.endsWith('/') ? undefined : segments.pop();
  return (file !== undefined && ACTIVE_EXTENSIONS.test(file)) || segments.some((s) => /\.app$/i.test(s));
}
