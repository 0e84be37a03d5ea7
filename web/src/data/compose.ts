/**
 * The message a member or staff is about to send, and the rate-limit window that must go with it.
 * Mirrors the rules in firestore.rules ("messages" section), so the client asks only for writes
 * the rules will allow, and explains the ones they would not.
 */
import { MAX_ATTACHMENTS } from './attachments.js';

export const MAX_TEXT_LENGTH = 4000;
export const MESSAGES_PER_WINDOW = 10;
export const WINDOW_MS = 60_000;

export interface AttachmentRef {
  id: string;
  name: string;
}

export type Composed =
  { ok: true; text: string; attachments: AttachmentRef[] } | { ok: false; reason: string };

const thousands = (n: number): string => n.toLocaleString('en-US');

/**
 * Trims the text and checks the limits. Length is counted in UTF-16 units, which is never less
 * than the characters the rules count, so whatever passes here passes there.
 */
export function composeMessage(text: string, attachments: AttachmentRef[]): Composed {
  const trimmed = text.trim();
  if (trimmed.length > MAX_TEXT_LENGTH) {
    return {
      ok: false,
      reason: `A message can be at most ${thousands(MAX_TEXT_LENGTH)} characters; this one has ${thousands(trimmed.length)}.`,
    };
  }
  if (attachments.length > MAX_ATTACHMENTS) {
    return { ok: false, reason: `You can attach up to ${MAX_ATTACHMENTS} files to a message.` };
  }
  if (trimmed === '' && attachments.length === 0) {
    return { ok: false, reason: 'Write a message or attach a file first.' };
  }
  return { ok: true, text: trimmed, attachments: attachments.map(({ id, name }) => ({ id, name })) };
}

export interface RateWindow {
  /** Milliseconds since the epoch. */
  windowStart: number;
  windowCount: number;
}

/** What the thread's window must become with the next member message. */
export type WindowStep = { kind: 'new' } | { kind: 'same'; windowCount: number };

/**
 * The window steps to try, best guess first. The rules judge "same minute" by the server's clock;
 * ours may differ, so when the guess is refused the other reading is tried once. An empty list
 * means the member has sent 10 messages this minute even by the most generous reading.
 */
export function windowSteps(current: RateWindow | null, now: number): WindowStep[] {
  if (!current) return [{ kind: 'new' }];
  const same: WindowStep[] =
    current.windowCount < MESSAGES_PER_WINDOW ? [{ kind: 'same', windowCount: current.windowCount + 1 }] : [];
  const open = now < current.windowStart + WINDOW_MS;
  return open ? [...same, { kind: 'new' }] : [{ kind: 'new' }, ...same];
}

/** Whole seconds until the member may send again, for the "too many messages" sentence. */
export function secondsUntilWindowEnds(current: RateWindow, now: number): number {
  return Math.max(1, Math.ceil((current.windowStart + WINDOW_MS - now) / 1000));
}

export function rateLimitedText(seconds: number): string {
  return `You can send up to ${MESSAGES_PER_WINDOW} messages a minute. Try again in ${seconds} ${seconds === 1 ? 'second' : 'seconds'}.`;
}
