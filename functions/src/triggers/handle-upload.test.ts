import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { REASONS } from '../intake/reasons.js';
import { png, windowsProgram } from '../intake/test-support/corpus.js';
import {
  type FinalizedObject,
  handleFinalizedObject,
  parseUploadPath,
  type UploadObjects,
  type UploadRecord,
  type UploadRecords,
} from './handle-upload.js';

/** In-memory stand-ins for Firestore's `uploads` collection and the bucket, keyed by name#generation. */
function fakes() {
  const docs = new Map<string, UploadRecord>();
  const blobs = new Map<string, Uint8Array>();
  const deleted: string[] = [];
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
    },
  };
  const put = (name: string, bytes: Uint8Array, contentType: string, generation = 1): FinalizedObject => {
    blobs.set(`${name}#${generation}`, bytes);
    return {
      name,
      bucket: 'demo-member-portal.appspot.com',
      generation: String(generation),
      size: String(bytes.length),
      contentType,
    };
  };
  return { docs, blobs, deleted, records, objects, put };
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
  });

  it('records a rejected file and deletes exactly its generation', async () => {
    const f = fakes();
    const object = f.put('uploads/u1/up2/cat.png', windowsProgram(), 'image/png', 3);
    expect(await handleFinalizedObject(object, f.records, f.objects)).toBe('rejected');
    expect(f.docs.get('up2')).toMatchObject({
      status: 'rejected',
      reason: 'The file says it is a PNG image but its contents are a Windows program.',
      detectedType: 'application/x-msdownload',
    });
    expect(f.deleted).toEqual(['uploads/u1/up2/cat.png#3']);
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
});
