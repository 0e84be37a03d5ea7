import { createHash, randomUUID } from 'node:crypto';
import { type App, deleteApp } from 'firebase-admin/app';
import { getFirestore } from 'firebase-admin/firestore';
import { getStorage } from 'firebase-admin/storage';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminApp } from '../support/backend-admin.js';
import {
  overlappingZip,
  pdfDocument,
  png,
  text,
  windowsProgram,
  zip,
} from '../../functions/src/intake/test-support/corpus.js';

// The intake trigger end to end: an upload to our Storage emulator fires the finalize event at the
// Functions emulator, whose intakeUpload writes `uploads/{id}` in our Firestore emulator.

let admin: App;

beforeAll(() => {
  admin = adminApp('intake');
});
afterAll(async () => {
  if (admin) await deleteApp(admin);
});

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

async function upload(
  fileName: string,
  bytes: Uint8Array,
  contentType: string,
  uid = `member-${randomUUID().slice(0, 8)}`,
  id = randomUUID().replaceAll('-', ''),
) {
  const path = `uploads/${uid}/${id}/${fileName}`;
  await getStorage(admin).bucket().file(path).save(Buffer.from(bytes), { contentType, resumable: false });
  return { uid, id, path };
}

/** Polls `uploads/{id}` until the trigger has written it. */
async function verdict(id: string, timeoutMs = 25_000): Promise<Record<string, unknown>> {
  const ref = getFirestore(admin).collection('uploads').doc(id);
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const snapshot = await ref.get();
    if (snapshot.exists) return snapshot.data()!;
    if (Date.now() > deadline) throw new Error(`no verdict for uploads/${id} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function stillStored(path: string): Promise<boolean> {
  const [exists] = await getStorage(admin).bucket().file(path).exists();
  return exists;
}

describe('intakeUpload through the local emulators', () => {
  it('accepts an ordinary PNG, records it and keeps the bytes', async () => {
    const bytes = png(64, 48);
    const { uid, id, path } = await upload('photo.png', bytes, 'image/png');
    const record = await verdict(id);
    expect(record).toMatchObject({
      owner: uid,
      name: 'photo.png',
      path,
      declaredType: 'image/png',
      detectedType: 'image/png',
      size: bytes.length,
      sha256: sha256(bytes),
      status: 'accepted',
      reason: null,
    });
    expect(record.checkedAt).toBeDefined();
    expect(await stillStored(path)).toBe(true);
  });

  it('accepts a plain ZIP', async () => {
    const bytes = zip([{ name: 'notes.txt', data: text() }]);
    const { id } = await upload('notes.zip', bytes, 'application/zip');
    expect(await verdict(id)).toMatchObject({ status: 'accepted', detectedType: 'application/zip' });
  });

  it.each([
    [
      'a Windows program renamed .png',
      'cat.png',
      'image/png',
      windowsProgram(),
      'The file says it is a PNG image but its contents are a Windows program.',
    ],
    [
      'a zip bomb of overlapping entries',
      'bomb.zip',
      'application/zip',
      overlappingZip(50),
      'This ZIP has overlapping entries, the mark of a zip bomb.',
    ],
    [
      'a traversal name',
      'evil.zip',
      'application/zip',
      zip([{ name: '../evil.sh', data: text('#!/bin/sh\n') }]),
      'This ZIP contains an unsafe path: "../evil.sh".',
    ],
    // Issue 15 item 6: deceptive names and active content.
    [
      'a ZIP entry named with a right-to-left override',
      'docs.zip',
      'application/zip',
      zip([{ name: 'Invoice-2026\u202Efdp.exe', data: text() }]),
      'This ZIP contains a name with invisible or direction-changing characters: "Invoice-2026?fdp.exe".',
    ],
    [
      'a ZIP entry with a Windows device name',
      'docs.zip',
      'application/zip',
      zip([{ name: 'aux.txt', data: text() }]),
      'This ZIP contains a name Windows reserves for a device: "aux.txt".',
    ],
    [
      'a ZIP with two names that differ only by case',
      'docs.zip',
      'application/zip',
      zip([
        { name: 'Readme.txt', data: text() },
        { name: 'README.TXT', data: text() },
      ]),
      'This ZIP contains "README.TXT" twice.',
    ],
    [
      'a ZIP holding a script',
      'tools.zip',
      'application/zip',
      zip([{ name: 'run.ps1', data: text() }]),
      'This ZIP contains a program, script or web page ("run.ps1"); these are not accepted.',
    ],
    [
      'a web page sent as text',
      'page.txt',
      'text/plain',
      text('<!doctype html><script>alert(1)</script>\n'),
      'This text file looks like a web page or script, which is not accepted.',
    ],
    [
      'a PDF that runs JavaScript when opened',
      'invoice.pdf',
      'application/pdf',
      pdfDocument([
        '<< /Type /Catalog /Pages 2 0 R /OpenAction 3 0 R >>',
        '<< /Type /Pages /Kids [] /Count 0 >>',
        '<< /S /JavaScript /JS (app.alert(1)) >>',
      ]),
      'This PDF contains JavaScript, which is not accepted. Printing it to a new PDF removes it.',
    ],
  ])('rejects %s and deletes its bytes', async (_label, fileName, contentType, bytes, reason) => {
    const { id, path } = await upload(fileName, bytes, contentType);
    expect(await verdict(id)).toMatchObject({ status: 'rejected', reason, sha256: sha256(bytes) });
    const deadline = Date.now() + 10_000;
    while ((await stillStored(path)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    expect(await stillStored(path)).toBe(false);
  });

  it('names an accepted file for staff from its detected type, without the characters that disguise it', async () => {
    const { id } = await upload('Invoice-2026\u202Efdp.bat', text('Total: 42 EUR\n'), 'text/plain');
    expect(await verdict(id)).toMatchObject({
      status: 'accepted',
      name: 'Invoice-2026\u202Efdp.bat',
      safeName: 'Invoice-2026fdp.bat.txt',
    });
  });

  it('keeps the first verdict when another upload reuses the id, and deletes the intruder', async () => {
    const first = await upload('a.png', png(4, 4), 'image/png');
    expect(await verdict(first.id)).toMatchObject({ status: 'accepted', owner: first.uid });
    const intruder = await upload('b.png', png(5, 5), 'image/png', 'someone-else', first.id);
    const deadline = Date.now() + 15_000;
    while ((await stillStored(intruder.path)) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 200));
    expect(await stillStored(intruder.path)).toBe(false);
    expect(await verdict(first.id)).toMatchObject({ status: 'accepted', owner: first.uid, path: first.path });
    expect(await stillStored(first.path)).toBe(true);
  });
});
