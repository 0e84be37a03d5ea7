/**
 * Plain text that something would run or render rather than show: a web page, an SVG image, a
 * script. Only the start of the text is looked at, as browsers do when they guess a type and as
 * script interpreters do; a note that mentions `<script>` further down stays a note.
 *
 * - HTML: the tags that the WHATWG MIME Sniffing Standard (§7.1, "rules for identifying an unknown
 *   MIME type") takes for HTML, and a doctype;
 * - SVG, and XML whose first kilobyte shows an SVG or XHTML document or a stylesheet to apply, which
 *   browsers render (and run the scripts of);
 * - scripts: a `#!` interpreter line, a batch file's `@echo`, PHP's `<?php`.
 */

/** WHATWG MIME Sniffing §7.1: `<` + one of these + a tag-terminating byte makes text/html. */
const HTML_TAGS = [
  '!DOCTYPE HTML',
  'HTML',
  'HEAD',
  'SCRIPT',
  'IFRAME',
  'H1',
  'DIV',
  'FONT',
  'TABLE',
  'A',
  'STYLE',
  'TITLE',
  'B',
  'BODY',
  'BR',
  'P',
  '!--',
];

// The tag-terminating bytes of the standard are space and `>`; the other white space, and `/` for
// `<br/>`, end a tag just as well for a browser rendering the page.
const TAG = new RegExp(
  `^<(?:${HTML_TAGS.map((t) => t.replace(/ /g, '\\s+')).join('|')}|svg|!doctype)[\\s/>]`,
  'i',
);
const SCRIPT = /^(?:#!|@echo\b|<\?php\b)/i;
const RENDERED_XML = /<svg[\s/>]|<html[\s/>]|http:\/\/www\.w3\.org\/1999\/xhtml|<\?xml-stylesheet\b/i;

const HEAD_BYTES = 1024;

/** True when text (already known to be UTF-8 without odd controls) would run or render. */
export function looksLikePageOrScript(bytes: Uint8Array): boolean {
  let head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, HEAD_BYTES)).toString(
    'utf8',
  );
  if (head.startsWith('\ufeff')) head = head.slice(1);
  // Browsers skip leading white space, and so does cmd.exe before `@echo`; a `#!` after white space
  // is no interpreter line, but refusing it costs nothing.
  const start = head.replace(/^[\t\n\f\r ]+/, '');
  if (TAG.test(start) || SCRIPT.test(start)) return true;
  return /^<\?xml\b/i.test(start) && RENDERED_XML.test(start);
}
