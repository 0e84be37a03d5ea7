import { describe, expect, it } from 'vitest';
import { fileName, formatSize, sortItems, toContentItem } from './library-items.js';

const VIDEO = {
  title: 'Tutorial',
  description: 'A video',
  tier: 'premium',
  storagePath: 'content/premium/tutorial.webm',
  size: 39_357,
  kind: 'video',
};

describe('library items', () => {
  it('accepts a well-formed content document', () => {
    expect(toContentItem('v1', VIDEO)).toEqual({ id: 'v1', ...VIDEO });
  });

  it('skips malformed documents', () => {
    expect(toContentItem('x', { ...VIDEO, tier: 'gold' })).toBeNull();
    expect(toContentItem('x', { ...VIDEO, kind: 'exe' })).toBeNull();
    expect(toContentItem('x', { ...VIDEO, size: '10' })).toBeNull();
    expect(toContentItem('x', { ...VIDEO, storagePath: undefined })).toBeNull();
  });

  it('lists free items first, then by title', () => {
    const item = (id: string, title: string, tier: 'free' | 'premium') => ({
      id,
      title,
      description: '',
      tier,
      storagePath: `content/${tier}/${id}`,
      size: 1,
      kind: 'text' as const,
    });
    const sorted = sortItems([
      item('a', 'Zeta', 'premium'),
      item('b', 'Beta', 'free'),
      item('c', 'Alpha', 'premium'),
    ]);
    expect(sorted.map((i) => i.id)).toEqual(['b', 'c', 'a']);
  });

  it('formats sizes and file names', () => {
    expect(formatSize(512)).toBe('512 B');
    expect(formatSize(39_357)).toBe('38 KB');
    expect(formatSize(5 * 1024 * 1024)).toBe('5.0 MB');
    expect(fileName({ id: 'v1', ...VIDEO, tier: 'premium', kind: 'video' })).toBe('tutorial.webm');
  });
});
