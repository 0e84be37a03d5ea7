/** One conversation as the staff inbox lists it. */
export interface ThreadSummary {
  uid: string;
  lastMessageAt: Date;
  lastAuthor: 'member' | 'staff';
  staffReadAt: Date | null;
  /** When the member last opened the conversation. */
  memberReadAt: Date | null;
}

interface TimestampLike {
  toDate(): Date;
}

function isTimestamp(value: unknown): value is TimestampLike {
  return !!value && typeof value === 'object' && 'toDate' in value && typeof value.toDate === 'function';
}

export function parseThread(uid: string, data: Record<string, unknown>): ThreadSummary | undefined {
  const { lastMessageAt, lastAuthor, staffReadAt, memberReadAt } = data;
  if (!isTimestamp(lastMessageAt) || (lastAuthor !== 'member' && lastAuthor !== 'staff')) return undefined;
  return {
    uid,
    lastMessageAt: lastMessageAt.toDate(),
    lastAuthor,
    staffReadAt: isTimestamp(staffReadAt) ? staffReadAt.toDate() : null,
    memberReadAt: isTimestamp(memberReadAt) ? memberReadAt.toDate() : null,
  };
}

/** Unread for staff: the member wrote last, after staff last opened the conversation. */
export function isUnreadForStaff(thread: ThreadSummary): boolean {
  if (thread.lastAuthor !== 'member') return false;
  return thread.staffReadAt === null || thread.staffReadAt.getTime() < thread.lastMessageAt.getTime();
}

/** Unread for the member: staff replied last, after the member last opened the conversation. */
export function isUnreadForMember(thread: ThreadSummary): boolean {
  if (thread.lastAuthor !== 'staff') return false;
  return thread.memberReadAt === null || thread.memberReadAt.getTime() < thread.lastMessageAt.getTime();
}
