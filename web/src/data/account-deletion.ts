/**
 * Deleting an account, as the member goes through it: a word to type that shows they mean it,
 * the steps shown while it runs, and what a failure means in words.
 */

export interface Confirmation {
  /** What the field asks for. */
  kind: 'username' | 'email address';
  /** What must be typed. */
  word: string;
}

/**
 * The username when the profile could be read; an unverified account may not read its profile
 * (firestore.rules), so it confirms with its email address instead.
 */
export function confirmationFor(username: string | null, email: string | null): Confirmation {
  if (username) return { kind: 'username', word: username };
  return { kind: 'email address', word: email ?? '' };
}

/** Usernames are unique case-insensitively, email addresses too in Firebase Auth: case does not matter. */
export function confirms(typed: string, confirmation: Confirmation): boolean {
  const word = confirmation.word.trim().toLowerCase();
  return word !== '' && typed.trim().toLowerCase() === word;
}

export type DeletionStep = 'confirming' | 'deleting' | 'signing-out';

const STEPS: readonly DeletionStep[] = ['confirming', 'deleting', 'signing-out'];

const STEP_TEXT: Record<DeletionStep, string> = {
  confirming: 'checking your password',
  deleting: 'deleting your messages, files and profile',
  'signing-out': 'signing you out',
};

export function stepText(step: DeletionStep): string {
  return `Step ${STEPS.indexOf(step) + 1} of ${STEPS.length}: ${STEP_TEXT[step]}…`;
}

/** How far along the progress bar is when `step` begins. */
export function stepFraction(step: DeletionStep): number {
  return STEPS.indexOf(step) / STEPS.length;
}

/**
 * The sentence for a failed deletion, or undefined when the error's own wording (ui/errors.ts)
 * says it already. The Functions SDK reports a lost connection or a crash as `internal` with the
 * message "internal", which must not reach the member as such.
 */
export function deletionFailure(code: string | undefined, online: boolean): string | undefined {
  if (!online) return 'You are offline — check your connection and try again.';
  switch (code) {
    case 'functions/internal':
    case 'functions/unavailable':
    case 'functions/unknown':
    case 'functions/deadline-exceeded':
      return 'The server did not finish deleting your account. Try again.';
    case 'auth/network-request-failed':
      return 'Cannot reach the server — check your connection and try again.';
    default:
      return undefined;
  }
}
