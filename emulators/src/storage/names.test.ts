import { describe, expect, it } from 'vitest';
import {
  isFirebasePath,
  isValidBucketName,
  isValidObjectName,
  MAX_OBJECT_NAME_BYTES,
  validateObjectName,
} from './names.js';

describe('object names', () => {
  it('accepts ordinary Firebase paths, including spaces and non-ASCII', () => {
    for (const name of ['a', 'uploads/u1/x/a.png', 'hello world.txt', 'ünïcödé/😀.txt', 'a.b/..c/d..']) {
      expect(isValidObjectName(name)).toBe(true);
    }
  });

  it('accepts empty segments: a//b, folder placeholders, a leading slash (GCS naming: cloud.google.com/storage/docs/objects#naming)', () => {
    for (const name of ['a//b', 'folder/', '/a', 'a/b//']) expect(isValidObjectName(name)).toBe(true);
  });

  it('tells Firebase paths from other names: lists on /v0 skip the others (firebase-tools isValidNonEncodedPathString)', () => {
    expect(isFirebasePath('a/b')).toBe(true);
    expect(isFirebasePath('/a/b')).toBe(true);
    for (const name of ['a//b', 'folder/', '', '/']) expect(isFirebasePath(name)).toBe(false);
  });

  it.each([
    ['empty', ''],
    ['dot-dot segment', 'a/../b'],
    ['dot-dot alone', '..'],
    ['dot segment', 'a/./b'],
    ['NUL', 'a\u0000b'],
    ['newline', 'a\nb'],
    ['DEL', 'a\u007fb'],
    ['lone surrogate', 'a\ud800b'],
  ])('rejects %s', (_label, name) => {
    expect(() => validateObjectName(name)).toThrow();
  });

  it('limits names to 1024 bytes of UTF-8, not characters', () => {
    expect(isValidObjectName('a'.repeat(MAX_OBJECT_NAME_BYTES))).toBe(true);
    expect(isValidObjectName('a'.repeat(MAX_OBJECT_NAME_BYTES + 1))).toBe(false);
    // 512 two-byte characters = 1024 bytes; one more is over.
    expect(isValidObjectName('é'.repeat(512))).toBe(true);
    expect(isValidObjectName('é'.repeat(513))).toBe(false);
  });
});

describe('bucket names', () => {
  it('accepts the default and RUT bucket names', () => {
    expect(isValidBucketName('demo-member-portal.appspot.com')).toBe(true);
    expect(isValidBucketName('demo-member-portal')).toBe(true);
    expect(isValidBucketName('demo-member-portal.firebasestorage.app')).toBe(true);
  });
  it('rejects malformed names', () => {
    for (const b of ['', 'a', 'Has-Upper', 'a..b', '-lead', 'sp ace'])
      expect(isValidBucketName(b)).toBe(false);
  });
});
