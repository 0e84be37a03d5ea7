import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { REASONS } from './reasons.js';
import {
  gif,
  jpeg,
  linuxProgram,
  noise,
  overlappingZip,
  pdf,
  pdfDocument,
  pdfObjectStream,
  png,
  text,
  webp,
  windowsProgram,
  zip,
} from './test-support/corpus.js';
import { decide } from './verdict.js';

const MiB = 1024 * 1024;
const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** A one-page PDF whose catalog carries `catalogExtra`, plus `more` objects from number 5. */
function pdfWith(catalogExtra: string, more: string[] = []): Buffer {
  return pdfDocument([
    `<< /Type /Catalog /Pages 2 0 R ${catalogExtra} >>`,
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >>',
    '<< /Producer (test) >>',
    ...more,
  ]);
}

describe('decide: ordinary files are accepted', () => {
  it.each([
    ['a PNG', 'image/png', png(800, 600)],
    ['a JPEG', 'image/jpeg', jpeg(1024, 768)],
    ['a GIF', 'image/gif', gif(16, 16)],
    ['a WebP', 'image/webp', webp(300, 200)],
    ['a PDF', 'application/pdf', pdf()],
    [
      'a PDF with a compressed object stream that opens at a page',
      'application/pdf',
      pdfWith('/OpenAction [3 0 R /Fit]', [pdfObjectStream(['<< /Type /Annot /Subtype /Text >>'])]),
    ],
    ['text that mentions tags', 'text/plain', text('Meeting notes: the <script> tag was discussed.\n')],
    ['plain text', 'text/plain', text()],
    [
      'a ZIP',
      'application/zip',
      zip([
        { name: 'notes/', data: new Uint8Array(0), method: 0 },
        { name: 'notes/today.txt', data: text() },
        { name: 'scan.pdf', data: pdf() },
        { name: 'photo.png', data: png(10, 10), method: 0 },
      ]),
    ],
  ])('%s', async (_label, type, bytes) => {
    expect(await decide({ bytes, declaredType: type })).toEqual({
      status: 'accepted',
      reason: null,
      declaredType: type,
      detectedType: type,
      size: bytes.length,
      sha256: sha256(bytes),
    });
  });

  it('folds content-type parameters, case and the aliases browsers send', async () => {
    const archive = zip([{ name: 'a.txt', data: text() }]);
    expect(await decide({ bytes: archive, declaredType: 'application/x-zip-compressed' })).toMatchObject({
      status: 'accepted',
      declaredType: 'application/zip',
    });
    expect(await decide({ bytes: text(), declaredType: 'Text/Plain; charset=UTF-8' })).toMatchObject({
      status: 'accepted',
      declaredType: 'text/plain',
    });
    expect(await decide({ bytes: jpeg(5, 5), declaredType: 'image/jpg' })).toMatchObject({
      status: 'accepted',
    });
  });

  it('accepts an animated PNG declared as a PNG, and text that starts like a program', async () => {
    const apng = png(8, 8, { animated: true });
    expect(await decide({ bytes: apng, declaredType: 'image/png' })).toMatchObject({
      status: 'accepted',
      detectedType: 'image/apng',
    });
    const note = Buffer.from('MZ: minutes of the Zurich meeting\n');
    expect(await decide({ bytes: note, declaredType: 'text/plain' })).toMatchObject({
      status: 'accepted',
      detectedType: 'text/plain',
    });
  });

  it('accepts a file of exactly 20 MB', async () => {
    const bytes = Buffer.alloc(20 * MiB, 'a');
    expect(await decide({ bytes, declaredType: 'text/plain' })).toMatchObject({
      status: 'accepted',
      size: 20 * MiB,
    });
  });
});

describe('decide: the adversarial corpus is rejected with the right reason', () => {
  const cases: Array<[string, string, Uint8Array, string, string | null]> = [
    [
      'a high-ratio zip bomb',
      'application/zip',
      zip([{ name: 'zeros.bin', data: Buffer.alloc(20 * MiB) }]),
      'This ZIP contains an entry compressed more than 100 to 1 ("zeros.bin"), the mark of a zip bomb.',
      'application/zip',
    ],
    [
      'a zip bomb that understates its expanded size',
      'application/zip',
      zip([{ name: 'small.txt', data: Buffer.alloc(8 * MiB), declaredUncompressed: 400_000 }]),
      'This ZIP holds more data than it declares ("small.txt"), the mark of a zip bomb.',
      'application/zip',
    ],
    [
      'a zip with overlapping entries',
      'application/zip',
      overlappingZip(100),
      'This ZIP has overlapping entries, the mark of a zip bomb.',
      'application/zip',
    ],
    [
      'a traversal name ../evil.sh',
      'application/zip',
      zip([{ name: '../evil.sh', data: text('#!/bin/sh\n') }]),
      'This ZIP contains an unsafe path: "../evil.sh".',
      'application/zip',
    ],
    [
      'an absolute name /etc/passwd',
      'application/zip',
      zip([{ name: '/etc/passwd', data: text('root:x:0:0\n') }]),
      'This ZIP contains an unsafe path: "/etc/passwd".',
      'application/zip',
    ],
    [
      'a drive-letter name C:\\x',
      'application/zip',
      zip([{ name: 'C:\\x', data: text() }]),
      'This ZIP contains an unsafe path: "C:\\x".',
      'application/zip',
    ],
    [
      'an encrypted zip',
      'application/zip',
      zip([{ name: 'secret.txt', data: noise(64), method: 0, flags: 0x1 }]),
      'This ZIP contains encrypted entries, which cannot be checked.',
      'application/zip',
    ],
    [
      'a nested inner.zip',
      'application/zip',
      zip([{ name: 'inner.zip', data: zip([{ name: 'a.txt', data: text() }]) }]),
      'This ZIP contains another archive ("inner.zip"); archives inside archives are not accepted.',
      'application/zip',
    ],
    [
      'a Windows program renamed .png',
      'image/png',
      windowsProgram(),
      'The file says it is a PNG image but its contents are a Windows program.',
      'application/x-msdownload',
    ],
    [
      'a Linux program sent as plain text',
      'text/plain',
      linuxProgram(),
      'The file says it is plain text but its contents are a Linux program.',
      'application/x-elf',
    ],
    [
      'a truncated PNG',
      'image/png',
      png(64, 64).subarray(0, 60),
      'The image is truncated or damaged.',
      'image/png',
    ],
    [
      'a PDF with an appended ZIP',
      'application/pdf',
      Buffer.concat([pdf(), zip([{ name: 'payload.txt', data: noise(4000) }])]),
      'The file contains a hidden archive.',
      'application/pdf',
    ],
    [
      'a ZIP whose first bytes say %PDF',
      'application/pdf',
      zip([{ name: 'payload.txt', data: noise(4000) }], { prefix: Buffer.from('%PDF-1.7\n') }),
      'The file contains a hidden archive.',
      'application/pdf',
    ],
    [
      'the same %PDF-prefixed ZIP declared as a ZIP',
      'application/zip',
      zip([{ name: 'payload.txt', data: noise(4000) }], { prefix: Buffer.from('%PDF-1.7\n') }),
      'The file says it is a ZIP archive but its contents are a PDF document.',
      'application/pdf',
    ],
    [
      'a ZIP carrying a PDF header in its first kilobyte',
      'application/zip',
      zip([{ name: 'doc.pdf', data: pdf(), method: 0 }]),
      'The file is both a ZIP archive and a PDF document.',
      'application/zip',
    ],
    [
      'a PNG with a ZIP appended',
      'image/png',
      Buffer.concat([png(8, 8), zip([{ name: 'x.txt', data: text() }])]),
      'The file contains a hidden archive.',
      'image/png',
    ],
    [
      'a huge-canvas PNG',
      'image/png',
      png(20_000, 1),
      'The image is 20,000 × 1 pixels; the limit is 10,000 × 10,000.',
      'image/png',
    ],
    [
      'a truncated PDF',
      'application/pdf',
      pdf().subarray(0, 200),
      'The PDF is truncated or damaged.',
      'application/pdf',
    ],
    [
      'binary bytes declared as text',
      'text/plain',
      noise(512),
      'The file says it is plain text but its contents are binary data of no recognised type.',
      null,
    ],
    [
      'a Java archive declared as a ZIP',
      'application/zip',
      zip([{ name: 'META-INF/MANIFEST.MF', data: text('Manifest-Version: 1.0\n') }]),
      'The file says it is a ZIP archive but its contents are a Java archive.',
      'application/java-archive',
    ],
    [
      'a program declared as a program',
      'application/x-msdownload',
      windowsProgram(),
      'Files of type "application/x-msdownload" are not accepted. Send a PNG, JPEG, WebP or GIF image, a PDF, a plain-text file or a ZIP archive.',
      'application/x-msdownload',
    ],
    ['an empty file', 'text/plain', new Uint8Array(0), 'The file is empty.', null],
    [
      'a PDF that runs JavaScript when opened',
      'application/pdf',
      pdfWith('/OpenAction << /S /JavaScript /JS (app.launchURL("https://example.com")) >>'),
      'This PDF contains JavaScript, which is not accepted. Printing it to a new PDF removes it.',
      'application/pdf',
    ],
    [
      'a PDF hiding a launch action in a compressed object stream',
      'application/pdf',
      pdfWith('/OpenAction 100 0 R', [pdfObjectStream(['<< /S /L#61unch /Win << /F (cmd.exe) >> >>'])]),
      'This PDF contains an action that starts a program, which is not accepted. Printing it to a new PDF removes it.',
      'application/pdf',
    ],
    [
      'a PDF with an object stream that cannot be decoded',
      'application/pdf',
      pdfWith('', [pdfObjectStream(['<< >>'], { filter: '/LZWDecode' })]),
      REASONS.pdfUncheckable,
      'application/pdf',
    ],
    [
      'a web page sent as text',
      'text/plain',
      Buffer.from('<!DOCTYPE html>\n<html><script>location="https://phish.example"</script></html>\n'),
      'This text file looks like a web page or script, which is not accepted.',
      'text/plain',
    ],
    [
      'a batch file sent as text',
      'text/plain',
      Buffer.from('@echo off\r\npowershell -enc AAAA\r\n'),
      REASONS.textActive,
      'text/plain',
    ],
    [
      'a ZIP with a program inside',
      'application/zip',
      zip([
        { name: 'readme.txt', data: text() },
        { name: 'setup.exe', data: windowsProgram() },
      ]),
      'This ZIP contains a program, script or web page ("setup.exe"); these are not accepted.',
      'application/zip',
    ],
    [
      'a ZIP with a right-to-left override in a name',
      'application/zip',
      zip([{ name: 'Invoice\u202Efdp.scr', data: text() }]),
      'This ZIP contains a name with invisible or direction-changing characters: "Invoice?fdp.scr".',
      'application/zip',
    ],
    [
      'a ZIP with a Windows device name',
      'application/zip',
      zip([{ name: 'docs/aux.txt', data: text() }]),
      'This ZIP contains a name Windows reserves for a device: "docs/aux.txt".',
      'application/zip',
    ],
  ];

  it.each(cases)('%s', async (_label, declaredType, bytes, reason, detectedType) => {
    expect(await decide({ bytes, declaredType })).toEqual({
      status: 'rejected',
      reason,
      declaredType,
      detectedType,
      size: bytes.length,
      sha256: sha256(bytes),
    });
  });

  it('refuses a file without a declared type', async () => {
    expect(await decide({ bytes: text(), declaredType: undefined })).toMatchObject({
      status: 'rejected',
      reason: REASONS.notAllowed('none'),
      declaredType: null,
    });
  });

  it('refuses a file over 20 MB without sniffing it', async () => {
    const bytes = Buffer.alloc(20 * MiB + 1, 'a');
    expect(await decide({ bytes, declaredType: 'text/plain' })).toMatchObject({
      status: 'rejected',
      reason: 'The file is larger than 20 MB.',
      detectedType: null,
    });
  });
});
