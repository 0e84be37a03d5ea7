import { describe, expect, it } from 'vitest';
import { REASONS } from './reasons.js';
import {
  linuxProgram,
  manyEntriesZip,
  noise,
  overlappingZip,
  pdf,
  text,
  unicodePathExtra,
  zip,
} from './test-support/corpus.js';
import { containsZipDirectory, inspectZip, isUnsafePath } from './zip-inspect.js';

const MiB = 1024 * 1024;
const ok = { ok: true };

describe('inspectZip: ordinary archives', () => {
  it('accepts deflated and stored entries and directories, and reports their totals', () => {
    const archive = zip([
      { name: 'docs/', data: new Uint8Array(0), method: 0 },
      { name: 'docs/readme.txt', data: text() },
      { name: 'data.bin', data: noise(5000), method: 0 },
    ]);
    expect(inspectZip(archive)).toMatchObject({
      ok: true,
      entries: 3,
      totalUncompressed: text().length + 5000,
    });
  });

  it('accepts an empty archive, an archive with a comment, and entries with data descriptors', () => {
    expect(inspectZip(zip([]))).toEqual({ ok: true, entries: 0, totalUncompressed: 0, contents: [] });
    expect(inspectZip(zip([{ name: 'a.txt', data: text() }], { comment: 'made by hand' }))).toMatchObject(ok);
    const streamed = zip([
      { name: 'a.txt', data: text(), dataDescriptor: true },
      { name: 'b.bin', data: noise(300), dataDescriptor: true },
    ]);
    expect(inspectZip(streamed)).toMatchObject({ ok: true, entries: 2 });
  });

  it('reads ZIP64 end-of-central-directory records', () => {
    expect(inspectZip(zip([{ name: 'a.txt', data: text() }], { zip64: true }))).toMatchObject({
      ok: true,
      entries: 1,
    });
  });

  it('accepts exactly 1,000 entries and a ratio of exactly 100 to 1', () => {
    expect(inspectZip(manyEntriesZip(1000))).toMatchObject({ ok: true, entries: 1000 });
    // A deflated entry whose declared size is exactly 100 × its compressed size is at the limit.
    const one = zip([{ name: 'n.bin', data: noise(1000) }]);
    const compressed = one.readUInt32LE(18);
    expect(
      inspectZip(zip([{ name: 'n.bin', data: noise(1000), declaredUncompressed: compressed * 100 }])),
    ).toMatchObject(ok);
    expect(
      inspectZip(zip([{ name: 'n.bin', data: noise(1000), declaredUncompressed: compressed * 100 + 1 }])),
    ).toEqual({
      ok: false,
      reason: REASONS.zipRatio('n.bin'),
    });
  });
});

describe('inspectZip: hostile archives', () => {
  it('refuses a high-ratio zip bomb (10 MiB of zeros in about 10 KB)', () => {
    const bomb = zip([{ name: 'zeros.bin', data: Buffer.alloc(10 * MiB) }]);
    expect(bomb.length).toBeLessThan(64 * 1024);
    expect(inspectZip(bomb)).toEqual({ ok: false, reason: REASONS.zipRatio('zeros.bin') });
    expect(REASONS.zipRatio('zeros.bin')).toBe(
      'This ZIP contains an entry compressed more than 100 to 1 ("zeros.bin"), the mark of a zip bomb.',
    );
  });

  it('refuses entries whose declared sizes add up to more than 200 MB, each under the ratio limit', () => {
    const entries = [1, 2, 3].map((i) => ({ name: `part${i}.bin`, data: noise(MiB, i) }));
    const compressed = entries.map((e) => zip([e]).readUInt32LE(18));
    const lying = entries.map((e, i) => ({ ...e, declaredUncompressed: compressed[i]! * 70 }));
    expect(inspectZip(zip(lying))).toEqual({ ok: false, reason: 'This ZIP expands to more than 200 MB.' });
  });

  it('refuses overlapping entries (several directory records sharing one local header)', () => {
    expect(inspectZip(overlappingZip(2, noise(4096)))).toEqual({ ok: false, reason: REASONS.zipOverlap });
    expect(inspectZip(overlappingZip(250))).toEqual({
      ok: false,
      reason: 'This ZIP has overlapping entries, the mark of a zip bomb.',
    });
  });

  it('refuses an entry whose data reaches into the central directory', () => {
    const archive = zip([{ name: 'a.bin', data: noise(100), method: 0 }]);
    // Grow the declared compressed size in both headers so the data runs into the directory.
    const cd = archive.readUInt32LE(archive.length - 6);
    archive.writeUInt32LE(120, 18);
    archive.writeUInt32LE(120, 22);
    archive.writeUInt32LE(120, cd + 20);
    archive.writeUInt32LE(120, cd + 24);
    expect(inspectZip(archive)).toEqual({ ok: false, reason: REASONS.zipOverlap });
  });

  it.each([
    ['../evil.sh'],
    ['docs/../../evil.sh'],
    ['/etc/passwd'],
    ['C:\\x'],
    ['c:/windows/system32/evil.dll'],
    ['folder\\..\\..\\evil.bat'],
    ['..'],
    ['bad\u0007bell.txt'],
    ['notes.txt:hidden'],
  ])('refuses the traversal name %j', (name) => {
    expect(inspectZip(zip([{ name, data: text() }]))).toEqual({
      ok: false,
      reason: REASONS.zipUnsafePath(name),
    });
  });

  it('refuses a traversal hidden in a Unicode Path extra field, central or local', () => {
    const hidden = unicodePathExtra('../../.bashrc', 'readme.txt');
    expect(inspectZip(zip([{ name: 'readme.txt', data: text(), centralExtra: hidden }]))).toEqual({
      ok: false,
      reason: REASONS.zipUnsafePath('../../.bashrc'),
    });
    expect(inspectZip(zip([{ name: 'readme.txt', data: text(), localExtra: hidden }]))).toEqual({
      ok: false,
      reason: REASONS.zipUnsafePath('../../.bashrc'),
    });
    const archive = unicodePathExtra('inner.zip', 'readme.txt');
    expect(inspectZip(zip([{ name: 'readme.txt', data: text(), centralExtra: archive }]))).toEqual({
      ok: false,
      reason: REASONS.zipNested('inner.zip'),
    });
    const harmless = unicodePathExtra('résumé.txt', 'resume.txt');
    expect(
      inspectZip(zip([{ name: 'resume.txt', data: text(), centralExtra: harmless, localExtra: harmless }])),
    ).toMatchObject({
      ok: true,
    });
  });

  it('names the path in the reason exactly', () => {
    expect(REASONS.zipUnsafePath('../evil.sh')).toBe('This ZIP contains an unsafe path: "../evil.sh".');
    expect(REASONS.zipUnsafePath('bad\u0007bell.txt')).toBe(
      'This ZIP contains an unsafe path: "bad?bell.txt".',
    );
  });

  it('refuses encrypted entries (flag bit 0, strong encryption bit 6, AES method 99)', () => {
    const reason = 'This ZIP contains encrypted entries, which cannot be checked.';
    expect(inspectZip(zip([{ name: 'secret.txt', data: noise(100), method: 0, flags: 0x1 }]))).toEqual({
      ok: false,
      reason,
    });
    expect(inspectZip(zip([{ name: 'secret.txt', data: noise(100), method: 0, flags: 0x41 }]))).toEqual({
      ok: false,
      reason,
    });
    expect(inspectZip(zip([{ name: 'secret.txt', data: noise(100), method: 99 }]))).toEqual({
      ok: false,
      reason,
    });
  });

  it('refuses an entry encrypted only in its local header', () => {
    const archive = zip([{ name: 'secret.txt', data: noise(100), method: 0 }]);
    archive.writeUInt16LE(archive.readUInt16LE(6) | 1, 6);
    expect(inspectZip(archive)).toEqual({ ok: false, reason: REASONS.zipEncrypted });
  });

  it('refuses nested archives by name, whatever their contents', () => {
    for (const name of ['inner.zip', 'backup.tar.gz', 'x.7z', 'deep/folder/app.JAR', 'disk.iso']) {
      expect(inspectZip(zip([{ name, data: text() }]))).toEqual({
        ok: false,
        reason: REASONS.zipNested(name),
      });
    }
    expect(REASONS.zipNested('inner.zip')).toBe(
      'This ZIP contains another archive ("inner.zip"); archives inside archives are not accepted.',
    );
  });

  it('refuses nested archives by their first bytes, stored or deflated', () => {
    const inner = zip([{ name: 'a.txt', data: noise(3000) }]);
    expect(inspectZip(zip([{ name: 'photo.dat', data: inner, method: 0 }]))).toEqual({
      ok: false,
      reason: REASONS.zipNested('photo.dat'),
    });
    expect(inspectZip(zip([{ name: 'photo.dat', data: inner, method: 8 }]))).toEqual({
      ok: false,
      reason: REASONS.zipNested('photo.dat'),
    });
    const gzip = Buffer.concat([Buffer.from([0x1f, 0x8b, 8, 0]), noise(200)]);
    expect(inspectZip(zip([{ name: 'notes', data: gzip, method: 0 }]))).toEqual({
      ok: false,
      reason: REASONS.zipNested('notes'),
    });
    const tar = Buffer.alloc(1024);
    tar.write('ustar', 257, 'latin1');
    expect(inspectZip(zip([{ name: 'x.bin', data: tar }]))).toEqual({
      ok: false,
      reason: REASONS.zipNested('x.bin'),
    });
  });

  it('refuses symbolic links made on Unix', () => {
    const link = { name: 'link', data: Buffer.from('/etc/passwd'), method: 0 as const, madeByHost: 3 };
    expect(inspectZip(zip([{ ...link, externalAttributes: (0o120777 << 16) >>> 0 }]))).toEqual({
      ok: false,
      reason: REASONS.zipSymlink('link'),
    });
    expect(inspectZip(zip([{ ...link, externalAttributes: (0o100644 << 16) >>> 0 }]))).toMatchObject(ok);
  });

  it('refuses duplicate names (case-insensitively, as Windows and macOS extract them)', () => {
    const archive = zip([
      { name: 'Report.txt', data: text() },
      { name: 'report.TXT', data: text('other') },
    ]);
    expect(inspectZip(archive)).toEqual({ ok: false, reason: REASONS.zipDuplicate('report.TXT') });
    const composed = zip([
      { name: 'caf\u00e9.txt', data: text() },
      { name: 'cafe\u0301.txt', data: text() },
    ]);
    expect(inspectZip(composed)).toEqual({ ok: false, reason: REASONS.zipDuplicate('cafe\u0301.txt') });
  });

  it('refuses a local header that disagrees with the central directory', () => {
    const archive = zip([{ name: 'shown.txt', centralName: 'other.txt', data: text() }]);
    expect(inspectZip(archive)).toEqual({
      ok: false,
      reason: "This ZIP's entries do not match its directory.",
    });
  });

  it('refuses compression methods other than store and deflate', () => {
    expect(inspectZip(zip([{ name: 'a.bz2data', data: noise(100), method: 12 }]))).toEqual({
      ok: false,
      reason: REASONS.zipMethod('a.bz2data'),
    });
  });

  it('refuses more than 1,000 entries before reading them', () => {
    expect(inspectZip(manyEntriesZip(1001))).toEqual({
      ok: false,
      reason: 'This ZIP has more than 1,000 entries.',
    });
    // The count in the EOCD alone is enough: a directory claiming 60,000 entries is not walked.
    expect(inspectZip(zip([{ name: 'a', data: text() }], { declaredEntries: 60_000 }))).toEqual({
      ok: false,
      reason: REASONS.zipTooManyEntries,
    });
  });

  it('refuses bytes before, between or after the entries', () => {
    const plain = [{ name: 'a.txt', data: text() }];
    expect(inspectZip(zip(plain, { prefix: linuxProgram() }))).toEqual({
      ok: false,
      reason: REASONS.zipExtraData,
    });
    expect(inspectZip(zip(plain, { suffix: Buffer.from('appended') }))).toEqual({
      ok: false,
      reason: REASONS.zipExtraData,
    });
    // A gap: move the directory and EOCD one byte later without telling the entries.
    const archive = zip(plain);
    const cd = archive.readUInt32LE(archive.length - 6);
    const gapped = Buffer.concat([archive.subarray(0, cd), Buffer.from([0]), archive.subarray(cd)]);
    gapped.writeUInt32LE(cd + 1, gapped.length - 6);
    expect(inspectZip(gapped)).toEqual({ ok: false, reason: REASONS.zipExtraData });
  });

  it('calls truncated or garbled archives damaged', () => {
    const archive = zip([{ name: 'a.txt', data: noise(2000) }]);
    expect(inspectZip(archive.subarray(0, archive.length - 30))).toEqual({
      ok: false,
      reason: REASONS.zipDamaged,
    });
    expect(inspectZip(archive.subarray(0, 1000))).toEqual({ ok: false, reason: REASONS.zipDamaged });
    expect(inspectZip(new Uint8Array(0))).toEqual({ ok: false, reason: REASONS.zipDamaged });
    const badOffset = Buffer.from(archive);
    badOffset.writeUInt32LE(0xfffffff0, badOffset.length - 6);
    expect(inspectZip(badOffset)).toEqual({ ok: false, reason: REASONS.zipDamaged });
  });

  it('refuses split archives', () => {
    const archive = zip([{ name: 'a.txt', data: text() }]);
    archive.writeUInt16LE(1, archive.length - 18);
    expect(inspectZip(archive)).toEqual({ ok: false, reason: REASONS.zipSplit });
  });
});

describe('inspectZip: deceptive and unusable names', () => {
  it.each([
    ['Invoice\u202Efdp.pdf', REASONS.zipHiddenCharacters('Invoice\u202Efdp.pdf')],
    ['report\u200B.pdf', REASONS.zipHiddenCharacters('report\u200B.pdf')],
    ['folder\u2067/a.txt', REASONS.zipHiddenCharacters('folder\u2067/a.txt')],
    ['bom\uFEFF.txt', REASONS.zipHiddenCharacters('bom\uFEFF.txt')],
    ['c1\u0085.txt', REASONS.zipUnsafePath('c1\u0085.txt')],
    ['del\u007f.txt', REASONS.zipUnsafePath('del\u007f.txt')],
    ['aux.txt', REASONS.zipDeviceName('aux.txt')],
    ['docs/CON', REASONS.zipDeviceName('docs/CON')],
    ['LPT1.pdf', REASONS.zipDeviceName('LPT1.pdf')],
    ['com\u00b9.log', REASONS.zipDeviceName('com\u00b9.log')],
    ['notes.txt.', REASONS.zipTrailingDot('notes.txt.')],
    ['notes.txt ', REASONS.zipTrailingDot('notes.txt ')],
    ['dir./a.txt', REASONS.zipTrailingDot('dir./a.txt')],
  ])('refuses %j', (name, reason) => {
    expect(inspectZip(zip([{ name, data: text() }]))).toEqual({ ok: false, reason });
  });

  it('checks the names of Unicode Path extra fields too', () => {
    const hidden = unicodePathExtra('Invoice\u202Efdp.pdf', 'invoice.pdf');
    expect(inspectZip(zip([{ name: 'invoice.pdf', data: text(), centralExtra: hidden }]))).toEqual({
      ok: false,
      reason: REASONS.zipHiddenCharacters('Invoice\u202Efdp.pdf'),
    });
    const device = unicodePathExtra('nul.txt', 'null.txt');
    expect(inspectZip(zip([{ name: 'null.txt', data: text(), localExtra: device }]))).toEqual({
      ok: false,
      reason: REASONS.zipDeviceName('nul.txt'),
    });
  });

  it('refuses names that land on the same file, whichever name a tool extracts under', () => {
    expect(
      inspectZip(
        zip([
          { name: 'Readme.txt', data: text() },
          { name: 'README.TXT', data: text('other') },
        ]),
      ),
    ).toEqual({ ok: false, reason: REASONS.zipDuplicate('README.TXT') });
    // `a.txt ` is refused for its trailing space before it could collide with `a.txt`.
    expect(
      inspectZip(
        zip([
          { name: 'a.txt', data: text() },
          { name: 'a.txt ', data: text('other') },
        ]),
      ),
    ).toEqual({ ok: false, reason: REASONS.zipTrailingDot('a.txt ') });
    const alias = unicodePathExtra('A.TXT', 'b.txt');
    expect(
      inspectZip(
        zip([
          { name: 'a.txt', data: text() },
          { name: 'b.txt', data: text('other'), centralExtra: alias },
        ]),
      ),
    ).toEqual({ ok: false, reason: REASONS.zipDuplicate('A.TXT') });
    expect(
      inspectZip(
        zip([
          { name: 'stra\u00dfe.txt', data: text() },
          { name: 'STRASSE.txt', data: text('other') },
        ]),
      ),
    ).toEqual({ ok: false, reason: REASONS.zipDuplicate('STRASSE.txt') });
  });

  it('refuses programs, scripts and web pages, by name', () => {
    for (const name of [
      'setup.exe',
      'tools/run.BAT',
      'deploy.ps1',
      'x.vbs',
      'a.js',
      'x.hta',
      'link.lnk',
      'page.html',
      'logo.svg',
      'X.app/Contents/MacOS/X',
    ]) {
      expect(inspectZip(zip([{ name, data: text() }])), name).toEqual({
        ok: false,
        reason: REASONS.zipActiveContent(name),
      });
    }
    expect(REASONS.zipActiveContent('setup.exe')).toBe(
      'This ZIP contains a program, script or web page ("setup.exe"); these are not accepted.',
    );
    const renamed = unicodePathExtra('invoice.exe', 'invoice.txt');
    expect(inspectZip(zip([{ name: 'invoice.txt', data: text(), localExtra: renamed }]))).toEqual({
      ok: false,
      reason: REASONS.zipActiveContent('invoice.exe'),
    });
  });

  it('accepts ordinary names in folders that merely look like programs', () => {
    const archive = zip([
      { name: 'example.com/', data: new Uint8Array(0), method: 0 },
      { name: 'example.com/index.txt', data: text() },
      { name: 'js/readme.md', data: text() },
      { name: 'été/résumé.pdf', data: text() },
    ]);
    expect(inspectZip(archive)).toMatchObject({ ok: true, entries: 4 });
  });
});

describe('isUnsafePath', () => {
  it('allows ordinary relative names, including dots that are not segments', () => {
    for (const name of ['a.txt', 'dir/', 'dir/sub/file..txt', '...', '.hidden', 'été/ü.txt']) {
      expect(isUnsafePath(name)).toBe(false);
    }
  });
});

describe('containsZipDirectory', () => {
  it('finds an archive appended to another file, or behind a %PDF prefix', () => {
    const archive = zip([{ name: 'a.txt', data: noise(5000) }]);
    expect(containsZipDirectory(Buffer.concat([pdf(), archive]))).toBe(true);
    expect(
      containsZipDirectory(zip([{ name: 'a', data: text() }], { prefix: Buffer.from('%PDF-1.7\n') })),
    ).toBe(true);
    expect(containsZipDirectory(zip([]))).toBe(true);
  });

  it('ignores an EOCD signature whose directory is not there', () => {
    expect(containsZipDirectory(pdf())).toBe(false);
    const fake = Buffer.concat([
      noise(100),
      Buffer.from([0x50, 0x4b, 0x05, 0x06, 0, 0, 0, 0, 1, 0, 1, 0]),
      noise(10),
    ]);
    expect(containsZipDirectory(fake)).toBe(false);
  });
});
