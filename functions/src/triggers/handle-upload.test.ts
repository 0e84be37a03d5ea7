import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { REASONS } from '../intake/reasons.js';
import { png, text, windowsProgram } from '../intake/test-support/corpus.js';
import {
  type FinalizedObject,
  handleFinalizedObject,
  parseUploadPath,
  type UploadObjects,
  type UploadRecord,
  type UploadRecords,
} from './handle-upload.js';

/**
 * In-memory stand-ins for Firestore's `uploads` collection and the bucket, keyed by name#generation.
 * Every object put carries a download token, as the web SDK's uploads do; stripping one honours the
 * generation precondition (only the live generation of a name is touched).
 */
function fakes() {
  const docs = new Map<string, UploadRecord>();
  const blobs = new Map<string, Uint8Array>();
  const live = new Map<string, string>();
  const tokens = new Set<string>();
  const deleted: string[] = [];
  const stripped: string[] = [];
  const records: UploadRecords = {
    get: async (id) => docs.get(id),
    create: async (id, record) => {
      const existing = docs.get(id);
      if (existing) return existing;
      docs.set(id, record);
      return undefined;
    },
  };
  const objects: UploadObjects = {
    read: async (name, generation, cap) => blobs.get(`${name}#${generation}`)?.subarray(0, cap),
    delete: async (name, generation) => {
      deleted.push(`${name}#${generation}`);
      blobs.delete(`${name}#${generation}`);
      if (live.get(name) === generation) live.delete(name);
    },
    stripDownloadTokens: async (name, generation) => {
      // The verdict must be on record before anything is done to the object.
      const id = parseUploadPath(name)?.uploadId;
      if (!id || docs.get(id)?.path !== name) throw new Error(`stripped ${name} before recording it`);
      stripped.push(`${name}#${generation}`);
      if (live.get(name) === generation) tokens.delete(`${name}#${generation}`);
    },
  };
  const put = (name: string, bytes: Uint8Array, contentType: string, generation = 1): FinalizedObject => {
    blobs.set(`${name}#${generation}`, bytes);
    live.set(name, String(generation));
    tokens.add(`${name}#${generation}`);
    return {
      name,
      bucket: 'demo-member-portal.appspot.com',
      generation: String(generation),
      size: String(bytes.length),
      contentType,
    };
  };
  return { docs, blobs, live, tokens, deleted, stripped, records, objects, put };
}

beforeEach(() => {
  vi.spyOn(console, 'warn').mockImplementation(() => undefined);
});
afterEach(() => {
  vi.restoreAllMocks();
});

describe('parseUploadPath', () => {
  it('takes uploads/{uid}/{uploadId}/{fileName} and nothing else', () => {
    expect(parseUploadPath('uploads/u1/up1/photo.png')).toEqual({
      owner: 'u1',
      uploadId: 'up1',
      fileName: 'photo.png',
    });
    for (const name of [
      'uploads/u1/up1',
      'uploads/u1/up1/dir/photo.png',
      'content/free/u1/x.png',
      'uploads/u1/../x.png',
      'uploads//up1/x.png',
      'uploads/u1/up1/',
      'uploads/u 1/up1/x.png',
    ]) {
      expect(parseUploadPath(name), name).toBeUndefined();
    }
  });
});

describe('handleFinalizedObject', () => {
  it('records an accepted file with its hash and keeps the bytes', async () => {
    const f = fakes();
    const bytes = png(20, 10);
    const outcome = await handleFinalizedObject(
      f.put('uploads/u1/up1/photo.png', bytes, 'image/png', 7),
      f.records,
      f.objects,
    );
    expect(outcome).toBe('accepted');
    expect(f.docs.get('up1')).toEqual({
      owner: 'u1',
      name: 'photo.png',
      safeName: 'photo.png',
      path: 'uploads/u1/up1/photo.png',
      declaredType: 'image/png',
      detectedType: 'image/png',
      size: bytes.length,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      status: 'accepted',
      reason: null,
      generation: '7',
    });
    expect(f.deleted).toEqual([]);
    expect(f.stripped).toEqual(['uploads/u1/up1/photo.png#7']);
    expect(f.tokens.has('uploads/u1/up1/photo.png#7')).toBe(false);
  });

  it('records a rejected file and deletes exactly its generation', async () => {
    const f = fakes();
    const object = f.put('uploads/u1/up2/cat.png', windowsProgram(), 'image/png', 3);
    expect(await handleFinalizedObject(object, f.records, f.objects)).toBe('rejected');
    expect(f.docs.get('up2')).toMatchObject({
      status: 'rejected',
      reason: 'The file says it is a PNG image but its contents are a Windows program.',
      detectedType: 'application/x-msdownload',
      safeName: 'cat.png',
    });
    expect(f.deleted).toEqual(['uploads/u1/up2/cat.png#3']);
    expect(f.stripped).toEqual([]);
  });

  it('is idempotent under retries: same record, the delete repeated, nothing re-checked', async () => {
    const f = fakes();
    const object = f.put('uploads/u1/up3/cat.png', windowsProgram(), 'image/png', 5);
    await handleFinalizedObject(object, f.records, f.objects);
    const first = f.docs.get('up3');
    const read = vi.spyOn(f.objects, 'read');
    expect(await handleFinalizedObject(object, f.records, f.objects)).toBe('already-checked');
    expect(await handleFinalizedObject(object, f.records, f.objects)).toBe('already-checked');
    expect(read).not.toHaveBeenCalled();
    expect(f.docs.get('up3')).toBe(first);
    expect(f.deleted).toEqual(Array(3).fill('uploads/u1/up3/cat.png#5'));
  });

  it('handles a concurrent duplicate delivery that loses the create race', async () => {
    const f = fakes();
    const object = f.put('uploads/u1/up4/a.png', png(2, 2), 'image/png');
    const [a, b] = await Promise.all([
      handleFinalizedObject(object, f.records, f.objects),
      handleFinalizedObject(object, f.records, f.objects),
    ]);
    expect([a, b].sort()).toEqual(['accepted', 'already-checked']);
    expect(f.deleted).toEqual([]);
    expect(f.stripped).toEqual(Array(2).fill('uploads/u1/up4/a.png#1'));
  });

  it('never lets another object overwrite a recorded upload id; it deletes the intruder', async () => {
    const f = fakes();
    await handleFinalizedObject(f.put('uploads/u1/up5/a.png', png(2, 2), 'image/png'), f.records, f.objects);
    const intruder = f.put('uploads/u2/up5/b.png', png(3, 3), 'image/png');
    expect(await handleFinalizedObject(intruder, f.records, f.objects)).toBe('conflict');
    expect(f.docs.get('up5')).toMatchObject({
      owner: 'u1',
      path: 'uploads/u1/up5/a.png',
      status: 'accepted',
    });
    expect(f.deleted).toEqual(['uploads/u2/up5/b.png#1']);
    // An overwrite of the same path is a new generation: also not recordable, also deleted.
    const overwrite = f.put('uploads/u1/up5/a.png', windowsProgram(), 'image/png', 2);
    expect(await handleFinalizedObject(overwrite, f.records, f.objects)).toBe('conflict');
    expect(f.deleted).toEqual(['uploads/u2/up5/b.png#1', 'uploads/u1/up5/a.png#2']);
    // Only the recorded object lost its tokens; the intruders' bytes are gone instead.
    expect(f.stripped).toEqual(['uploads/u1/up5/a.png#1']);
  });

  it('refuses an object over 20 MB from its metadata without reading it', async () => {
    const f = fakes();
    const read = vi.spyOn(f.objects, 'read');
    const object: FinalizedObject = {
      name: 'uploads/u1/up6/big.zip',
      bucket: 'b',
      generation: 9,
      size: String(20 * 1024 * 1024 + 1),
      contentType: 'application/x-zip-compressed',
    };
    expect(await handleFinalizedObject(object, f.records, f.objects)).toBe('rejected');
    expect(read).not.toHaveBeenCalled();
    expect(f.docs.get('up6')).toMatchObject({
      status: 'rejected',
      reason: REASONS.tooLarge,
      sha256: null,
      declaredType: 'application/zip',
      size: 20 * 1024 * 1024 + 1,
      safeName: 'big.zip',
    });
    expect(f.deleted).toEqual(['uploads/u1/up6/big.zip#9']);
  });

  it('ignores objects outside the upload layout and objects already gone', async () => {
    const f = fakes();
    expect(
      await handleFinalizedObject(f.put('uploads/u1/x.png', png(2, 2), 'image/png'), f.records, f.objects),
    ).toBe('ignored');
    const gone: FinalizedObject = {
      name: 'uploads/u1/up7/a.png',
      bucket: 'b',
      generation: 1,
      size: 10,
      contentType: 'image/png',
    };
    expect(await handleFinalizedObject(gone, f.records, f.objects)).toBe('gone');
    expect(f.docs.size).toBe(0);
    expect(f.deleted).toEqual([]);
  });

  it('treats more bytes than the metadata promised as too large', async () => {
    const f = fakes();
    const object = f.put('uploads/u1/up8/t.txt', Buffer.alloc(20 * 1024 * 1024 + 10, 'a'), 'text/plain');
    object.size = 5;
    expect(await handleFinalizedObject(object, f.records, f.objects)).toBe('rejected');
    expect(f.docs.get('up8')).toMatchObject({ reason: REASONS.tooLarge });
  });

  it("records a safe name beside the member's own, with the extension of the detected type", async () => {
    const f = fakes();
    const name = 'uploads/u1/up9/Invoice-2026\u202Efdp.bat';
    expect(await handleFinalizedObject(f.put(name, text(), 'text/plain'), f.records, f.objects)).toBe(
      'accepted',
    );
    expect(f.docs.get('up9')).toMatchObject({
      name: 'Invoice-2026\u202Efdp.bat',
      safeName: 'Invoice-2026fdp.bat.txt',
      status: 'accepted',
    });
    const page = f.put('uploads/u1/up10/x.html', Buffer.from('<!doctype html><p>hi'), 'text/plain');
    expect(await handleFinalizedObject(page, f.records, f.objects)).toBe('rejected');
    expect(f.docs.get('up10')).toMatchObject({ safeName: 'x.html.txt', reason: REASONS.textActive });
  });

  it('strips the download tokens again on every retry of an accepted upload', async () => {
    const f = fakes();
    const object = f.put('uploads/u1/up11/a.png', png(2, 2), 'image/png', 4);
    expect(await handleFinalizedObject(object, f.records, f.objects)).toBe('accepted');
    expect(await handleFinalizedObject(object, f.records, f.objects)).toBe('already-checked');
    expect(await handleFinalizedObject(object, f.records, f.objects)).toBe('already-checked');
    expect(f.stripped).toEqual(Array(3).fill('uploads/u1/up11/a.png#4'));
    expect(f.deleted).toEqual([]);
  });

  it('finishes the strip on the retry when it failed after the verdict was recorded', async () => {
    const f = fakes();
    const object = f.put('uploads/u1/up12/a.png', png(2, 2), 'image/png');
    const strip = f.objects.stripDownloadTokens;
    f.objects.stripDownloadTokens = async () => {
      throw new Error('503 Service Unavailable');
    };
    await expect(handleFinalizedObject(object, f.records, f.objects)).rejects.toThrow('503');
    expect(f.docs.get('up12')).toMatchObject({ status: 'accepted' });
    expect(f.tokens.has('uploads/u1/up12/a.png#1')).toBe(true);
    f.objects.stripDownloadTokens = strip;
    expect(await handleFinalizedObject(object, f.records, f.objects)).toBe('already-checked');
    expect(f.tokens.has('uploads/u1/up12/a.png#1')).toBe(false);
  });

  it('leaves a newer generation alone and does not fail when the object is gone', async () => {
    const f = fakes();
    const first = f.put('uploads/u1/up13/a.png', png(2, 2), 'image/png', 1);
    f.put('uploads/u1/up13/a.png', png(3, 3), 'image/png', 2);
    expect(await handleFinalizedObject(first, f.records, f.objects)).toBe('accepted');
    expect(f.stripped).toEqual(['uploads/u1/up13/a.png#1']);
    expect(f.tokens.has('uploads/u1/up13/a.png#2')).toBe(true);

    const gone = f.put('uploads/u1/up14/b.png', png(2, 2), 'image/png', 1);
    const read = f.objects.read;
    f.objects.read = async (name, generation, cap) => {
      const bytes = await read(name, generation, cap);
      // Deleted between the read and the strip.
      f.blobs.delete(`${name}#${generation}`);
      f.live.delete(name);
      return bytes;
    };
    expect(await handleFinalizedObject(gone, f.records, f.objects)).toBe('accepted');
    expect(f.stripped).toContain('uploads/u1/up14/b.png#1');
  });
});
