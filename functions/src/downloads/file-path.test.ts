import { describe, expect, it } from 'vitest';
import { parseDownloadPath } from './file-path.js';

describe('parseDownloadPath', () => {
  it('knows premium library files and message attachments', () => {
    expect(parseDownloadPath('content/premium/videos/tutorial.webm')).toEqual({
      area: 'premium',
      path: 'content/premium/videos/tutorial.webm',
    });
    expect(parseDownloadPath('uploads/u1/abcdefghijklmnop/notes.txt')).toEqual({
      area: 'upload',
      path: 'uploads/u1/abcdefghijklmnop/notes.txt',
      owner: 'u1',
      uploadId: 'abcdefghijklmnop',
    });
  });

  it.each([
    ['a traversal', 'content/premium/../free/x'],
    ['an empty segment', 'content//premium/x'],
    ['a control character', 'uploads/u1/abcdefghijklmnop/a\nb'],
    ['another area', 'content/free/guide.pdf'],
    ['a deeper upload path', 'uploads/u1/id/extra/name'],
    ['no path', undefined],
  ])('refuses %s with invalid-argument', (_what, raw) => {
    expect(() => parseDownloadPath(raw)).toThrow(expect.objectContaining({ code: 'invalid-argument' }));
  });
});
