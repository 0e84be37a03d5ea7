import { describe, expect, it } from 'vitest';
import { isUnreadForMember, isUnreadForStaff, parseThread } from './thread-summary.js';

const at = (ms: number) => ({ toDate: () => new Date(ms) });

describe('parseThread', () => {
  it('reads the inbox fields', () => {
    expect(parseThread('u1', { lastMessageAt: at(2_000), lastAuthor: 'member', windowCount: 3 })).toEqual({
      uid: 'u1',
      lastMessageAt: new Date(2_000),
      lastAuthor: 'member',
      staffReadAt: null,
      memberReadAt: null,
    });
    expect(
      parseThread('u1', { lastMessageAt: at(2_000), lastAuthor: 'staff', staffReadAt: at(2_000) }),
    ).toMatchObject({
      staffReadAt: new Date(2_000),
    });
  });

  it('skips malformed threads', () => {
    expect(parseThread('u1', { lastAuthor: 'member' })).toBeUndefined();
    expect(parseThread('u1', { lastMessageAt: at(1), lastAuthor: 'robot' })).toBeUndefined();
  });
});

describe('isUnreadForStaff', () => {
  const base = { uid: 'u', lastMessageAt: new Date(5_000), memberReadAt: null };
  it('is unread when the member wrote after staff last read', () => {
    expect(isUnreadForStaff({ ...base, lastAuthor: 'member', staffReadAt: null })).toBe(true);
    expect(isUnreadForStaff({ ...base, lastAuthor: 'member', staffReadAt: new Date(4_999) })).toBe(true);
  });
  it('is read once staff opened it since, or answered last', () => {
    expect(isUnreadForStaff({ ...base, lastAuthor: 'member', staffReadAt: new Date(5_000) })).toBe(false);
    expect(isUnreadForStaff({ ...base, lastAuthor: 'staff', staffReadAt: null })).toBe(false);
  });
});

describe('isUnreadForMember', () => {
  const base = { uid: 'u', lastMessageAt: new Date(5_000), staffReadAt: null };
  it('is unread when staff replied after the member last looked', () => {
    expect(isUnreadForMember({ ...base, lastAuthor: 'staff', memberReadAt: null })).toBe(true);
    expect(isUnreadForMember({ ...base, lastAuthor: 'staff', memberReadAt: new Date(4_999) })).toBe(true);
  });
  it('is read once the member looked, and never for the member’s own last message', () => {
    expect(isUnreadForMember({ ...base, lastAuthor: 'staff', memberReadAt: new Date(5_000) })).toBe(false);
    expect(isUnreadForMember({ ...base, lastAuthor: 'member', memberReadAt: null })).toBe(false);
  });
});
