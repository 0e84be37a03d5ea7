import { describe, expect, it } from 'vitest';
import {
  ACCEPT,
  attachmentType,
  checkAttachment,
  formatSize,
  MAX_ATTACHMENT_BYTES,
  newUploadId,
  safeFileName,
} from './attachments.js';

describe('attachmentType', () => {
  it('keeps the allowed types, folds aliases and parameters', () => {
    expect(attachmentType({ name: 'a.png', type: 'image/png' })).toBe('image/png');
    expect(attachmentType({ name: 'a.zip', type: 'application/x-zip-compressed' })).toBe('application/zip');
    expect(attachmentType({ name: 'a.jpg', type: 'image/jpg' })).toBe('image/jpeg');
    expect(attachmentType({ name: 'notes', type: 'text/plain; charset=utf-8' })).toBe('text/plain');
    expect(attachmentType({ name: 'A.PDF', type: 'APPLICATION/PDF' })).toBe('application/pdf');
  });

  it('falls back to the extension only when the browser gives no type', () => {
    expect(attachmentType({ name: 'photo.JPEG', type: '' })).toBe('image/jpeg');
    expect(attachmentType({ name: 'bundle.zip', type: '' })).toBe('application/zip');
    expect(attachmentType({ name: 'noextension', type: '' })).toBeUndefined();
    // A declared type wins over the extension, so a renamed program stays refused.
    expect(attachmentType({ name: 'setup.png', type: 'application/x-msdownload' })).toBeUndefined();
  });

  it('refuses what storage.rules refuses', () => {
    for (const type of [
      'text/html',
      'image/svg+xml',
      'application/x-msdownload',
      'application/x-7z-compressed',
    ]) {
      expect(attachmentType({ name: 'x', type })).toBeUndefined();
    }
  });
});

describe('checkAttachment', () => {
  it('accepts a 20 MB PNG and names its upload type', () => {
    expect(checkAttachment({ name: 'cat.png', size: MAX_ATTACHMENT_BYTES, type: 'image/png' }, 4)).toEqual({
      ok: true,
      contentType: 'image/png',
      fileName: 'cat.png',
    });
  });

  it('explains each refusal', () => {
    expect(
      checkAttachment({ name: 'big.zip', size: MAX_ATTACHMENT_BYTES + 1, type: 'application/zip' }, 0),
    ).toEqual({
      ok: false,
      reason: '"big.zip" is larger than 20 MB.',
    });
    expect(checkAttachment({ name: 'empty.txt', size: 0, type: 'text/plain' }, 0)).toEqual({
      ok: false,
      reason: '"empty.txt" is empty.',
    });
    expect(checkAttachment({ name: 'page.html', size: 10, type: 'text/html' }, 0)).toEqual({
      ok: false,
      reason:
        '"page.html" is not a type of file we accept. Send a PNG, JPEG, WebP or GIF image, a PDF, a plain-text file or a ZIP archive.',
    });
    expect(checkAttachment({ name: 'sixth.png', size: 10, type: 'image/png' }, 5)).toEqual({
      ok: false,
      reason: 'You can attach up to 5 files to a message.',
    });
  });
});

describe('safeFileName', () => {
  it('replaces slashes and control characters', () => {
    expect(safeFileName('../etc/passwd')).toBe('.._etc_passwd');
    expect(safeFileName('a\\b\u0000c\u202e.txt')).toBe('a_b_c_.txt');
  });

  it('never returns an empty or dot name', () => {
    expect(safeFileName('   ')).toBe('file');
    expect(safeFileName('..')).toBe('file');
  });

  it('shortens long names to 120 characters, keeping the extension', () => {
    const name = safeFileName(`${'x'.repeat(300)}.zip`);
    expect(name).toHaveLength(120);
    expect(name.endsWith('xxx.zip')).toBe(true);
  });
});

describe('newUploadId', () => {
  it('is 32 hex digits from 16 random bytes', () => {
    const id = newUploadId((bytes) => bytes.fill(0xab));
    expect(id).toBe('ab'.repeat(16));
    expect(newUploadId()).toMatch(/^[0-9a-f]{32}$/);
    expect(newUploadId()).not.toBe(newUploadId());
  });
});

describe('formatSize and ACCEPT', () => {
  it('reads sizes as people do', () => {
    expect(formatSize(1)).toBe('1 byte');
    expect(formatSize(900)).toBe('900 bytes');
    expect(formatSize(340 * 1024)).toBe('340 KB');
    expect(formatSize(1.25 * 1024 * 1024)).toBe('1.3 MB');
  });

  it('lists types and extensions for the file picker', () => {
    expect(ACCEPT.split(',')).toEqual(
      expect.arrayContaining(['image/png', 'application/zip', '.zip', '.jpeg', '.txt']),
    );
  });
});
