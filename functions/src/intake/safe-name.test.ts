import { describe, expect, it } from 'vitest';
import { HIDDEN_CHARACTER, isWindowsDeviceName } from './name-rules.js';
import { MAX_SAFE_NAME_CHARACTERS, safeName } from './safe-name.js';

describe('safeName', () => {
  it.each([
    // [member's name, detected type, safe name]
    ['photo.png', 'image/png', 'photo.png'],
    ['report.PDF', 'application/pdf', 'report.PDF'],
    ['holiday.jpeg', 'image/jpeg', 'holiday.jpeg'],
    ['holiday.JPG', 'image/jpeg', 'holiday.JPG'],
    ['anim.png', 'image/apng', 'anim.png'],
    ['notes.txt', 'text/plain', 'notes.txt'],
    ['archive.zip', 'application/zip', 'archive.zip'],
    ['été à Zürich.webp', 'image/webp', 'été à Zürich.webp'],
    // the extension must open the detected type
    ['x.html', 'text/plain', 'x.html.txt'],
    ['photo.png', 'image/jpeg', 'photo.png.jpg'],
    ['scan', 'application/pdf', 'scan.pdf'],
    ['setup.exe', 'application/zip', 'setup.exe.zip'],
    ['.env', 'text/plain', 'env.txt'],
    // invisible and direction-changing characters go
    ['Invoice-2026\u202Efdp.bat', 'text/plain', 'Invoice-2026fdp.bat.txt'],
    ['Invoice\u202Egpj.exe', 'image/jpeg', 'Invoicegpj.exe.jpg'],
    ['a\u200Bb\u200Cc\u200Dd\uFEFF\u2066e\u2069.gif', 'image/gif', 'abcde.gif'],
    ['tab\there\u0085.txt', 'text/plain', 'tabhere.txt'],
    ['line\u2028break.txt', 'text/plain', 'linebreak.txt'],
    // characters Windows refuses, trailing dots and spaces
    ['a<b>:c"d|e?f*g\\h.txt', 'text/plain', 'a_b__c_d_e_f_g_h.txt'],
    ['notes.txt. . ', 'text/plain', 'notes.txt'],
    ['report .pdf', 'application/pdf', 'report.pdf'],
    ['  padded.pdf', 'application/pdf', 'padded.pdf'],
    // device names get a prefix, empty names a stand-in
    ['CON.txt', 'text/plain', '_CON.txt'],
    ['aux', 'text/plain', '_aux.txt'],
    ['nul .tar.txt', 'text/plain', '_nul .tar.txt'],
    ['LPT\u00b9.pdf', 'application/pdf', '_LPT\u00b9.pdf'],
    ['console.txt', 'text/plain', 'console.txt'],
    ['\u202E', 'text/plain', 'file.txt'],
    ['...', 'application/pdf', 'file.pdf'],
    ['.txt', 'text/plain', 'file.txt'],
    // rejected files: no type to force, the name shows what it is
    ['cat.png', 'application/x-msdownload', 'cat.png'],
    ['setup\u202Egnp.exe', null, 'setupgnp.exe'],
    ['big.zip', null, 'big.zip'],
  ])('%j detected as %s is %j', (name, detected, expected) => {
    expect(safeName(name, detected)).toBe(expected);
  });

  it('caps the length at 100 characters, keeping the extension and whole graphemes', () => {
    const long = safeName(`${'a'.repeat(300)}.pdf`, 'application/pdf');
    expect(long).toBe(`${'a'.repeat(96)}.pdf`);
    expect(long.length).toBe(MAX_SAFE_NAME_CHARACTERS);
    const forced = safeName(`${'b'.repeat(300)}.html`, 'text/plain');
    expect(forced).toBe(`${'b'.repeat(96)}.txt`);
    // Family emoji are one grapheme of seven code points; none is cut in half.
    const family = '\u{1F468}\u200D\u{1F469}\u200D\u{1F467}';
    expect(safeName(`${'é'.repeat(98)}${family}.txt`, 'text/plain')).toBe(`${'é'.repeat(96)}.txt`);
    // Four-byte characters reach the byte cap (240) before the character cap.
    const emoji = safeName(`${'\u{1F600}'.repeat(80)}.gif`, 'image/gif');
    expect(Buffer.byteLength(emoji)).toBeLessThanOrEqual(240);
    expect(emoji).toBe(`${'\u{1F600}'.repeat(59)}.gif`);
  });

  it('does not end a cut stem in a dot or space, nor let a cut make a device name', () => {
    expect(safeName(`${'c'.repeat(95)}. ${'d'.repeat(20)}`, 'text/plain')).toBe(`${'c'.repeat(95)}.txt`);
    expect(safeName(`con.${'e'.repeat(200)}`, 'text/plain')).toBe(`_con.${'e'.repeat(91)}.txt`);
  });

  it('treats a long tail after the last dot of an unknown type as part of the name', () => {
    expect(safeName(`a.${'x'.repeat(30)}`, null)).toBe(`a.${'x'.repeat(30)}`);
    expect(safeName(`a.${'x'.repeat(200)}`, null)).toBe(`a.${'x'.repeat(98)}`);
  });

  it('keeps its promises for 5,000 seeded random names', () => {
    let x = 2463534242;
    const next = (): number => {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      return x >>> 0;
    };
    const alphabet = [
      'a',
      'Z',
      '.',
      ' ',
      '<',
      ':',
      '\\',
      '\u202E',
      '\u200B',
      '\u0000',
      '\u0085',
      'é',
      'e\u0301',
      '\u{1F600}',
      'con',
      'aux',
      'x'.repeat(40),
    ];
    const types = [
      'image/png',
      'image/jpeg',
      'application/pdf',
      'text/plain',
      'application/zip',
      null,
      'application/x-msdownload',
    ];
    for (let n = 0; n < 5000; n++) {
      let name = '';
      for (let i = 0, length = 1 + (next() % 12); i < length; i++)
        name += alphabet[next() % alphabet.length]!;
      const detected = types[next() % types.length]!;
      const safe = safeName(name, detected);
      const label = JSON.stringify([name, detected, safe]);
      expect(safe.length, label).toBeGreaterThan(0);
      expect([...safe].length, label).toBeLessThanOrEqual(MAX_SAFE_NAME_CHARACTERS);
      expect(Buffer.byteLength(safe), label).toBeLessThanOrEqual(240);
      expect(HIDDEN_CHARACTER.test(safe), label).toBe(false);
      expect(/[<>:"/\\|?*]/.test(safe), label).toBe(false);
      expect(/^[. ]|[. ]$/.test(safe), label).toBe(false);
      expect(isWindowsDeviceName(safe), label).toBe(false);
      expect(safe, label).toBe(safe.normalize('NFC'));
      if (detected === 'application/pdf') expect(safe.toLowerCase().endsWith('.pdf'), label).toBe(true);
      if (detected === 'image/jpeg') expect(/\.jpe?g$/i.test(safe), label).toBe(true);
      if (detected === 'text/plain') expect(safe.toLowerCase().endsWith('.txt'), label).toBe(true);
    }
  });
});
