import { describe, expect, it } from 'vitest';
import { bucketName } from './admin.js';

describe('bucketName', () => {
  it('prefers the bucket from FIREBASE_CONFIG', () => {
    expect(bucketName({ FIREBASE_CONFIG: '{"projectId":"p","storageBucket":"b.example"}' })).toBe(
      'b.example',
    );
  });

  it('falls back to <project>.appspot.com', () => {
    expect(bucketName({ FIREBASE_CONFIG: '{"projectId":"demo-member-portal"}' })).toBe(
      'demo-member-portal.appspot.com',
    );
    expect(bucketName({ GCLOUD_PROJECT: 'demo-x' })).toBe('demo-x.appspot.com');
  });

  it('fails loudly without any project id', () => {
    expect(() => bucketName({})).toThrow(/project id/);
  });
});
