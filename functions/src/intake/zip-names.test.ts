import { describe, expect, it } from 'vitest';
import { HIDDEN_CHARACTER, isWindowsDeviceName } from './name-rules.js';
import { REASONS } from './reasons.js';
import { collisionKey, entryNameProblem, isActiveContentName } from './zip-names.js';

const hex = (c: number): string => `U+${c.toString(16).toUpperCase().padStart(4, '0')}`;

describe('the hidden character set', () => {
  const ranges: Array<[number, number]> = [
    [0x0000, 0x001f], // C0
    [0x007f, 0x009f], // DEL, C1
    [0x00ad, 0x00ad], // soft hyphen
    [0x061c, 0x061c], // Arabic letter mark
    [0x115f, 0x1160], // Hangul fillers
    [0x180e, 0x180e], // Mongolian vowel separator
    [0x200b, 0x200f], // zero-width space, non-joiner, joiner; LRM, RLM
    [0x2028, 0x2029], // line and paragraph separators
    [0x202a, 0x202e], // embeddings and overrides
    [0x2060, 0x2064], // word joiner, invisible operators
    [0x2066, 0x2069], // isolates
    [0x3164, 0x3164], // Hangul filler
    [0xfeff, 0xfeff], // zero-width no-break space
    [0xffa0, 0xffa0], // halfwidth Hangul filler
    [0xfff9, 0xfffb], // interlinear annotation
    [0xe0001, 0xe0001], // language tag
    [0xe0020, 0xe007f], // tag characters
  ];

  it('holds every listed code point', () => {
    for (const [from, to] of ranges) {
      for (let c = from; c <= to; c++)
        expect(HIDDEN_CHARACTER.test(String.fromCodePoint(c)), hex(c)).toBe(true);
    }
  });

  it('leaves visible letters, spaces, emoji and variation selectors alone', () => {
    for (const ch of ['a', 'é', '日', ' ', '\u00a0', '\u{1F600}', '\uFE0F', '\u0301', '-', '_', '.']) {
      expect(HIDDEN_CHARACTER.test(ch), hex(ch.codePointAt(0)!)).toBe(false);
    }
  });
});

describe('isWindowsDeviceName', () => {
  it.each([
    'CON',
    'con',
    'Prn',
    'AUX',
    'nul',
    'COM1',
    'com9',
    'LPT1',
    'lpt9',
    'COM0',
    'COM\u00b9',
    'lpt\u00b3',
  ])('%s is a device, with or without an extension', (name) => {
    expect(isWindowsDeviceName(name)).toBe(true);
    expect(isWindowsDeviceName(`${name}.txt`)).toBe(true);
    expect(isWindowsDeviceName(`${name}.tar.gz`)).toBe(true);
    expect(isWindowsDeviceName(`${name} .txt`)).toBe(true);
  });

  it('knows the console names and leaves look-alikes alone', () => {
    expect(isWindowsDeviceName('CONIN$')).toBe(true);
    expect(isWindowsDeviceName('conout$.log')).toBe(true);
    for (const name of [
      'console.txt',
      'COM10',
      'auxiliary.txt',
      'lpt.txt',
      'con-tract.pdf',
      'xcon',
      'CONIN.txt',
    ]) {
      expect(isWindowsDeviceName(name), name).toBe(false);
    }
  });
});

describe('entryNameProblem', () => {
  it('refuses invisible and direction-changing characters anywhere in the path', () => {
    for (const name of [
      'Invoice\u202Efdp.pdf',
      'a\u200Bb.txt',
      'dir\u2066/x.txt',
      'x\uFEFF.txt',
      'ok/\u3164.txt',
    ]) {
      expect(entryNameProblem(name), name).toBe(REASONS.zipHiddenCharacters(name));
    }
    expect(REASONS.zipHiddenCharacters('Invoice\u202Efdp.pdf')).toBe(
      'This ZIP contains a name with invisible or direction-changing characters: "Invoice?fdp.pdf".',
    );
  });

  it('refuses segments ending in a dot or a space, files and folders alike', () => {
    for (const name of ['notes.txt.', 'notes.txt ', 'dir./a.txt', 'dir /a.txt', 'dir./', '...', './a.txt']) {
      expect(entryNameProblem(name), name).toBe(REASONS.zipTrailingDot(name));
    }
  });

  it('refuses device names in any segment', () => {
    for (const name of [
      'CON',
      'aux.txt',
      'docs/NUL.log',
      'prn/readme.txt',
      'lpt1/',
      'com\u00b2.txt',
      'nul .txt',
    ]) {
      expect(entryNameProblem(name), name).toBe(REASONS.zipDeviceName(name));
    }
    expect(REASONS.zipDeviceName('aux.txt')).toBe(
      'This ZIP contains a name Windows reserves for a device: "aux.txt".',
    );
  });

  it('accepts ordinary names', () => {
    for (const name of [
      'a.txt',
      'dir/',
      'dir/sub/file..txt',
      '.hidden',
      'été/ü.txt',
      'console.txt',
      'a b/c d.txt',
    ]) {
      expect(entryNameProblem(name), name).toBeUndefined();
    }
  });
});

describe('collisionKey', () => {
  it('folds case, composition and trailing dots and spaces, per segment', () => {
    expect(collisionKey('Readme.txt')).toBe(collisionKey('README.TXT'));
    expect(collisionKey('a.txt')).toBe(collisionKey('a.txt '));
    expect(collisionKey('a.txt')).toBe(collisionKey('a.txt...'));
    expect(collisionKey('Dir. /x.txt')).toBe(collisionKey('dir/X.TXT'));
    expect(collisionKey('docs/')).toBe(collisionKey('docs'));
    expect(collisionKey('caf\u00e9.txt')).toBe(collisionKey('cafe\u0301.txt'));
    expect(collisionKey('stra\u00dfe.txt')).toBe(collisionKey('STRASSE.txt'));
    expect(collisionKey('a/b.txt')).not.toBe(collisionKey('a.b.txt'));
  });
});

describe('isActiveContentName', () => {
  it.each([
    'setup.exe',
    'run.BAT',
    'go.cmd',
    'scripts/deploy.ps1',
    'x.vbs',
    'app.js',
    'module.mjs',
    'a.hta',
    'screen.scr',
    'install.msi',
    'shortcut.lnk',
    'lib.jar',
    'build.sh',
    'open.command',
    'page.html',
    'page.HTM',
    'logo.svg',
    'tool.py',
    'Tool.app/Contents/MacOS/Tool',
    'x.exe ',
  ])('%s runs something', (name) => {
    expect(isActiveContentName(name)).toBe(true);
  });

  it.each([
    'notes.txt',
    'photo.png',
    'javascript-notes.txt',
    'js/',
    'js/readme.md',
    'example.com/index.txt',
    'app/a.txt',
    'exe',
  ])('%s does not', (name) => {
    expect(isActiveContentName(name)).toBe(false);
  });
});
