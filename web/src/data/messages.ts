import {
  collection,
  type DocumentData,
  type DocumentSnapshot,
  doc,
  getDoc,
  getDocFromCache,
  increment,
  limit,
  liveFirestore,
  onSnapshot,
  orderBy,
  query,
  serverTimestamp,
  Timestamp,
  type Unsubscribe,
  updateDoc,
  writeBatch,
} from '../firebase/firestore-live.js';
import {
  type AttachmentRef,
  MESSAGES_PER_WINDOW,
  rateLimitedText,
  secondsUntilWindowEnds,
  type RateWindow,
  type WindowStep,
  windowSteps,
} from './compose.js';
import { parseThread, type ThreadSummary } from './thread-summary.js';

// The conversation of member {uid} with the company: threads/{uid} and its messages, live through
// the full SDK (onSnapshot). Each message is written in one batch with its thread (see the
// "messages" section of firestore.rules); the batch goes through the SDK's write queue, so a
// message sent offline shows at once as pending and is delivered on reconnect.

export type Author = 'member' | 'staff';

export interface Message {
  id: string;
  author: Author;
  uid: string;
  text: string;
  attachments: AttachmentRef[];
  /** The server's time once delivered; until then the SDK's estimate (the local clock). */
  sentAt: Date;
  /** Written here and not yet acknowledged by the server (offline, or on its way). */
  pending: boolean;
}

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

/** A message handed to the SDK: shown already; `delivered` settles when the server answers. */
export interface Sending {
  delivered: Promise<void>;
}

/** How many earlier messages a conversation shows. */
const HISTORY = 200;

/** Pending server timestamps read as the local clock's estimate rather than null. */
const ESTIMATE = { serverTimestamps: 'estimate' } as const;

function parseAttachments(value: unknown): AttachmentRef[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((item: unknown) => {
    if (!item || typeof item !== 'object') return [];
    const { id, name } = item as Record<string, unknown>;
    return typeof id === 'string' && typeof name === 'string' ? [{ id, name }] : [];
  });
}

function parseMessage(snapshot: DocumentSnapshot<DocumentData>): Message | undefined {
  const data = snapshot.data(ESTIMATE);
  if (!data) return undefined;
  const { author, uid, text, attachments, createdAt } = data;
  if ((author !== 'member' && author !== 'staff') || typeof uid !== 'string') return undefined;
  if (!(createdAt instanceof Timestamp)) return undefined;
  return {
    id: snapshot.id,
    author,
    uid,
    text: typeof text === 'string' ? text : '',
    attachments: parseAttachments(attachments),
    sentAt: createdAt.toDate(),
    pending: snapshot.metadata.hasPendingWrites,
  };
}

function messagesOf(threadUid: string) {
  return collection(liveFirestore(), 'threads', threadUid, 'messages');
}

function threadRef(threadUid: string) {
  return doc(liveFirestore(), 'threads', threadUid);
}

/** What a listener is told: everything it shows, and whether the server confirmed it yet. */
export interface MessagesUpdate {
  messages: Message[];
  /** Read from the local cache only (offline, or before the server answered). */
  fromCache: boolean;
}

/**
 * The latest messages of a conversation, oldest first, now and on every change (a new message
 * here or elsewhere, a pending one delivered or rolled back). Returns the unsubscribe.
 */
export function watchMessages(
  threadUid: string,
  onChange: (update: MessagesUpdate) => void,
  onError: (error: unknown) => void,
): Unsubscribe {
  const latest = query(messagesOf(threadUid), orderBy('createdAt', 'desc'), limit(HISTORY));
  // Metadata changes too: a pending message turning into a delivered one changes only metadata.
  return onSnapshot(
    latest,
    { includeMetadataChanges: true },
    (snapshot) => {
      const messages = snapshot.docs.flatMap((d) => parseMessage(d) ?? []).reverse();
      onChange({ messages, fromCache: snapshot.metadata.fromCache });
    },
    onError,
  );
}

/** The member's own conversation summary (null before the first message), now and on change. */
export function watchOwnThread(
  uid: string,
  onChange: (thread: ThreadSummary | null) => void,
  onError: (error: unknown) => void,
): Unsubscribe {
  const stop = onSnapshot(
    threadRef(uid),
    (snapshot) => {
      watchedThreads.set(uid, snapshot);
      const data = snapshot.data(ESTIMATE);
      onChange(data ? (parseThread(uid, data) ?? null) : null);
    },
    onError,
  );
  return () => {
    watchedThreads.delete(uid);
    stop();
  };
}

/** Staff inbox: conversations by last activity, newest first, now and on change. */
export function watchThreads(
  onChange: (threads: ThreadSummary[]) => void,
  onError: (error: unknown) => void,
  max = 100,
): Unsubscribe {
  const latest = query(collection(liveFirestore(), 'threads'), orderBy('lastMessageAt', 'desc'), limit(max));
  return onSnapshot(
    latest,
    (snapshot) => onChange(snapshot.docs.flatMap((d) => parseThread(d.id, d.data(ESTIMATE)) ?? [])),
    onError,
  );
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

/** The latest snapshot of each thread a page is listening to, pending local writes included. */
const watchedThreads = new Map<string, DocumentSnapshot>();

/**
 * The thread as this tab knows it: what its listener last heard (it also knows a thread that does
 * not exist yet), else the cache, else the server. Asking the server first would leave a message
 * written offline unshown until the SDK notices the network is gone.
 */
async function knownThread(uid: string): Promise<DocumentSnapshot | null> {
  const watched = watchedThreads.get(uid);
  if (watched) return watched;
  try {
    return await getDocFromCache(threadRef(uid));
  } catch {
    // Offline with nothing known: guess there is no thread yet. A wrong guess is refused by the
    // rules once online, and the retry reads the server's thread.
    if (!navigator.onLine) return null;
    return getDoc(threadRef(uid));
  }
}

/**
 * Queues a member's message with the thread's new state in one batch: shown at once (pending),
 * sent when the network allows. Within the minute's window the count goes up by an increment and
 * the window's start is left alone, so messages queued offline one after another still count
 * right when they reach the server, whatever this tab saw last.
 */
function queueMemberMessage(
  uid: string,
  text: string,
  attachments: AttachmentRef[],
  threadExists: boolean,
  step: WindowStep,
): Promise<void> {
  const db = liveFirestore();
  const messageRef = doc(messagesOf(uid));
  const batch = writeBatch(db);
  batch.set(messageRef, { author: 'member', uid, text, attachments, createdAt: serverTimestamp() });
  const moved = { lastMessageAt: serverTimestamp(), lastAuthor: 'member', lastMessageId: messageRef.id };
  const state =
    step.kind === 'same'
      ? { ...moved, windowCount: increment(1) }
      : { ...moved, windowStart: serverTimestamp(), windowCount: 1 };
  if (threadExists) batch.update(threadRef(uid), state);
  else batch.set(threadRef(uid), state);
  return batch.commit();
}

/**
 * The refused first attempt, retried against the server's own view of the window: the rules judge
 * "same minute" by the server's clock, so each reading is tried; when the server still refuses
 * with nothing changed, the member has sent 10 messages this minute.
 */
async function retryWithServerWindow(
  uid: string,
  text: string,
  attachments: AttachmentRef[],
  firstError: unknown,
): Promise<void> {
  let lastError = firstError;
  let current: StoredWindow = null;
  // A second round reads again: another tab of the same member may have sent meanwhile.
  for (let round = 0; round < 2; round += 1) {
    const thread = await getDoc(threadRef(uid));
    const previous = current;
    current = readWindow(thread.data());
    if (round > 0 && sameWindow(previous, current)) break;
    for (const step of windowSteps(thread.exists() ? current : null, Date.now())) {
      try {
        await queueMemberMessage(uid, text, attachments, thread.exists(), step);
        return;
      } catch (error) {
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

/** A member's message (at most 10 a minute, counted by the rules on the thread). */
export async function sendAsMember(
  uid: string,
  text: string,
  attachments: AttachmentRef[],
): Promise<Sending> {
  const thread = await knownThread(uid);
  const exists = thread?.exists() ?? false;
  const seen = readWindow(thread?.data(ESTIMATE));
  const [step] = windowSteps(exists ? seen : null, Date.now());
  const first = queueMemberMessage(uid, text, attachments, exists, step ?? { kind: 'new' });
  const delivered = first.catch((error: unknown) => {
    if (!isDenied(error)) throw error;
    return retryWithServerWindow(uid, text, attachments, error);
  });
  return { delivered };
}

/** A staff reply; it also marks the conversation read. */
export function sendAsStaff(
  threadUid: string,
  staffUid: string,
  text: string,
  attachments: AttachmentRef[],
): Promise<Sending> {
  const db = liveFirestore();
  const messageRef = doc(messagesOf(threadUid));
  const batch = writeBatch(db);
  batch.set(messageRef, { author: 'staff', uid: staffUid, text, attachments, createdAt: serverTimestamp() });
  batch.update(threadRef(threadUid), {
    lastMessageAt: serverTimestamp(),
    lastAuthor: 'staff',
    lastMessageId: messageRef.id,
    staffReadAt: serverTimestamp(),
  });
  return Promise.resolve({ delivered: batch.commit() });
}

/** The member has seen the conversation as it is now (the home page's unread mark clears). */
export function markReadByMember(uid: string): Promise<void> {
  return updateDoc(threadRef(uid), { memberReadAt: serverTimestamp() });
}

export function markThreadRead(threadUid: string): Promise<void> {
  return updateDoc(threadRef(threadUid), { staffReadAt: serverTimestamp() });
}
