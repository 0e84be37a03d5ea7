import {
  collection,
  type DocumentData,
  doc,
  firestore,
  getDoc,
  getDocs,
  limit,
  orderBy,
  query,
  type QueryDocumentSnapshot,
  serverTimestamp,
  Timestamp,
  updateDoc,
  where,
  writeBatch,
} from '../firebase/firestore.js';
import {
  type AttachmentRef,
  MESSAGES_PER_WINDOW,
  rateLimitedText,
  secondsUntilWindowEnds,
  type RateWindow,
  type WindowStep,
  windowSteps,
} from './compose.js';
import { isUnreadForMember, parseThread, type ThreadSummary } from './thread-summary.js';

// The conversation of member {uid} with the company: threads/{uid} and its messages. Each message
// is written in one batch with its thread (see the "messages" section of firestore.rules).

export type Author = 'member' | 'staff';

export interface Message {
  id: string;
  author: Author;
  uid: string;
  text: string;
  attachments: AttachmentRef[];
  sentAt: Date;
}

/** Where the next poll starts: the newest message time seen (a Timestamp, to keep nanoseconds). */
export type MessageCursor = Timestamp | null;

/** A refusal the member can act on; its message is written for people. */
export class MessageError extends Error {
  constructor(
    readonly code: 'portal/rate-limited',
    message: string,
  ) {
    super(message);
    this.name = 'MessageError';
  }
}

/** How many earlier messages a conversation shows. */
const HISTORY = 200;

function parseAttachments(value: unknown): AttachmentRef[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((item: unknown) => {
    if (!item || typeof item !== 'object') return [];
    const { id, name } = item as Record<string, unknown>;
    return typeof id === 'string' && typeof name === 'string' ? [{ id, name }] : [];
  });
}

function parseMessage(snapshot: QueryDocumentSnapshot<DocumentData>): Message | undefined {
  const { author, uid, text, attachments, createdAt } = snapshot.data();
  if ((author !== 'member' && author !== 'staff') || typeof uid !== 'string') return undefined;
  if (!(createdAt instanceof Timestamp)) return undefined;
  return {
    id: snapshot.id,
    author,
    uid,
    text: typeof text === 'string' ? text : '',
    attachments: parseAttachments(attachments),
    sentAt: createdAt.toDate(),
  };
}

function messagesOf(threadUid: string) {
  return collection(firestore(), 'threads', threadUid, 'messages');
}

/**
 * Firestore Lite over REST has no listeners, so the view polls: the first call returns the latest
 * messages, later calls (with the cursor) those at or after the newest seen; callers merge by id,
 * so two messages stamped the same instant are never lost.
 */
export async function loadMessages(
  threadUid: string,
  cursor: MessageCursor,
): Promise<{ messages: Message[]; cursor: MessageCursor }> {
  const snapshot = cursor
    ? await getDocs(query(messagesOf(threadUid), where('createdAt', '>=', cursor), orderBy('createdAt')))
    : await getDocs(query(messagesOf(threadUid), orderBy('createdAt', 'desc'), limit(HISTORY)));
  const docs = cursor ? snapshot.docs : [...snapshot.docs].reverse();
  const messages = docs.flatMap((d) => parseMessage(d) ?? []);
  const newest = docs.at(-1)?.get('createdAt') as unknown;
  return { messages, cursor: newest instanceof Timestamp ? newest : cursor };
}

function readWindow(data: DocumentData | undefined): (RateWindow & { start: Timestamp }) | null {
  if (!data || !(data.windowStart instanceof Timestamp) || typeof data.windowCount !== 'number') return null;
  return { windowStart: data.windowStart.toMillis(), windowCount: data.windowCount, start: data.windowStart };
}

type StoredWindow = ReturnType<typeof readWindow>;

function sameWindow(a: StoredWindow, b: StoredWindow): boolean {
  if (!a || !b) return a === b;
  return a.start.isEqual(b.start) && a.windowCount === b.windowCount;
}

function isDenied(error: unknown): boolean {
  return (error as { code?: unknown } | null)?.code === 'permission-denied';
}

/**
 * A member's message: the batch carries the message and the thread's new state, including the
 * per-minute window the rules count against (at most 10 messages a minute).
 */
export async function sendAsMember(uid: string, text: string, attachments: AttachmentRef[]): Promise<void> {
  const db = firestore();
  const threadRef = doc(db, 'threads', uid);
  let lastError: unknown;
  let current: StoredWindow = null;
  // A second round re-reads the thread: another tab of the same member may have sent meanwhile.
  for (let round = 0; round < 2; round += 1) {
    const thread = await getDoc(threadRef);
    const previous = current;
    current = readWindow(thread.data());
    // Nothing changed since the first round: the refusal stands.
    if (round > 0 && sameWindow(previous, current)) break;
    const seen = current;

    const attempt = (step: WindowStep): Promise<void> => {
      const messageRef = doc(messagesOf(uid));
      const batch = writeBatch(db);
      batch.set(messageRef, { author: 'member', uid, text, attachments, createdAt: serverTimestamp() });
      const state = {
        lastMessageAt: serverTimestamp(),
        lastAuthor: 'member',
        lastMessageId: messageRef.id,
        windowStart: step.kind === 'same' && seen ? seen.start : serverTimestamp(),
        windowCount: step.kind === 'same' ? step.windowCount : 1,
      };
      if (thread.exists()) batch.update(threadRef, state);
      else batch.set(threadRef, state);
      return batch.commit();
    };

    for (const step of windowSteps(thread.exists() ? current : null, Date.now())) {
      try {
        await attempt(step);
        return;
      } catch (error) {
        // A refusal may only mean our clock read the window differently: try the other reading.
        if (!isDenied(error)) throw error;
        lastError = error;
      }
    }
  }
  if (current && current.windowCount >= MESSAGES_PER_WINDOW) {
    throw new MessageError(
      'portal/rate-limited',
      rateLimitedText(secondsUntilWindowEnds(current, Date.now())),
    );
  }
  throw lastError;
}

/** A staff reply; it also marks the conversation read. */
export async function sendAsStaff(
  threadUid: string,
  staffUid: string,
  text: string,
  attachments: AttachmentRef[],
): Promise<void> {
  const db = firestore();
  const messageRef = doc(messagesOf(threadUid));
  const batch = writeBatch(db);
  batch.set(messageRef, { author: 'staff', uid: staffUid, text, attachments, createdAt: serverTimestamp() });
  batch.update(doc(db, 'threads', threadUid), {
    lastMessageAt: serverTimestamp(),
    lastAuthor: 'staff',
    lastMessageId: messageRef.id,
    staffReadAt: serverTimestamp(),
  });
  await batch.commit();
}

/** Staff inbox: conversations by last activity, newest first. */
export async function listThreads(max = 100): Promise<ThreadSummary[]> {
  const snapshot = await getDocs(
    query(collection(firestore(), 'threads'), orderBy('lastMessageAt', 'desc'), limit(max)),
  );
  return snapshot.docs.flatMap((d) => parseThread(d.id, d.data()) ?? []);
}

/** The member's own conversation summary; null before their first message. */
export async function loadOwnThread(uid: string): Promise<ThreadSummary | null> {
  const snapshot = await getDoc(doc(firestore(), 'threads', uid));
  return snapshot.exists() ? (parseThread(uid, snapshot.data()) ?? null) : null;
}

/** The member has seen the conversation as it is now (the home page's unread mark clears). */
export async function markReadByMember(uid: string): Promise<void> {
  const thread = await loadOwnThread(uid);
  if (thread && isUnreadForMember(thread)) {
    await updateDoc(doc(firestore(), 'threads', uid), { memberReadAt: serverTimestamp() });
  }
}

export function markThreadRead(threadUid: string): Promise<void> {
  return updateDoc(doc(firestore(), 'threads', threadUid), { staffReadAt: serverTimestamp() });
}

/** The member's username for staff screens; the uid when there is no profile. */
export async function memberName(uid: string): Promise<string> {
  try {
    const username: unknown = (await getDoc(doc(firestore(), 'users', uid))).get('username');
    return typeof username === 'string' ? username : uid;
  } catch {
    return uid;
  }
}
