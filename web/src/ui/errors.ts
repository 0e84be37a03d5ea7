/**
 * Turns Firebase errors into sentences a member understands. Sign-in failures share one
 * message on purpose, so the form never reveals whether an email has an account.
 */
const MESSAGES: Record<string, string> = {
  'auth/invalid-credential': 'Email or password is incorrect.',
  'auth/wrong-password': 'Email or password is incorrect.',
  'auth/user-not-found': 'Email or password is incorrect.',
  'auth/invalid-login-credentials': 'Email or password is incorrect.',
  'auth/invalid-email': 'Enter a valid email address.',
  'auth/email-already-in-use': 'That email is already registered. Sign in instead, or reset your password.',
  'auth/weak-password': 'Choose a password of at least 8 characters.',
  'auth/too-many-requests': 'Too many attempts. Wait a minute and try again.',
  'auth/network-request-failed': 'Cannot reach the server. Check your connection and try again.',
  'auth/requires-recent-login': 'For your security, enter your password again and retry.',
  'auth/invalid-action-code': 'This link has expired or has already been used. Ask for a new one.',
  'auth/expired-action-code': 'This link has expired or has already been used. Ask for a new one.',
  'auth/user-token-expired': 'Your session has ended. Please sign in again.',
  'auth/invalid-verification-code': 'That code is not right. Check the text message and try again.',
  'auth/missing-verification-code': 'Enter the code from the text message.',
  'auth/code-expired': 'That code has expired. Ask for a new one.',
  'auth/invalid-phone-number': 'Enter the phone number in international format, for example +44 7700 900123.',
  'auth/missing-phone-number': 'Enter your phone number.',
  'auth/second-factor-already-in-use': 'That phone number is already a second factor on your account.',
  'auth/unverified-email': 'Verify your email address first.',
  'portal/username-taken': 'That username is taken.',
  'functions/unauthenticated': 'Please sign in first.',
  'functions/permission-denied': 'You do not have access to that.',
  'functions/resource-exhausted': 'Too many requests. Please wait and try again.',
  'permission-denied': 'You do not have access to that.',
  'storage/unauthorized': 'You do not have access to that file.',
  'storage/canceled': 'The transfer was cancelled.',
};

/** A mistake in one field of a form, found before anything was sent. */
export class FieldError extends Error {
  readonly code = 'portal/invalid-field';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

// The portal's forms name their fields after what they hold; an error names the fields it may be
// about, most likely first, and the first one the form has is marked.
const EMAIL = ['email', 'email-new'];
const NEW_PASSWORD = ['password', 'password-new'];
const CURRENT_PASSWORD = ['password-current', 'email-current', 'mfa-current', 'delete-password'];
const CODE = ['sms-code', 'mfa-code'];
const PHONE = ['mfa-phone'];

const FIELDS_OF: Record<string, string[]> = {
  'auth/invalid-email': EMAIL,
  'auth/email-already-in-use': EMAIL,
  'auth/missing-email': EMAIL,
  'auth/weak-password': NEW_PASSWORD,
  'auth/missing-password': [...NEW_PASSWORD, ...CURRENT_PASSWORD],
  // On sign-in these stay in the status line only: naming a field would say which one was wrong.
  'auth/wrong-password': CURRENT_PASSWORD,
  'auth/invalid-credential': CURRENT_PASSWORD,
  'auth/invalid-verification-code': CODE,
  'auth/missing-verification-code': CODE,
  'auth/code-expired': CODE,
  'auth/invalid-phone-number': PHONE,
  'auth/missing-phone-number': PHONE,
  'auth/second-factor-already-in-use': PHONE,
  'portal/username-taken': ['username'],
};

/** The names of the form fields an error may be about, most likely first. */
export function errorFields(error: unknown): string[] {
  if (error instanceof FieldError) return [error.field];
  if (error && typeof error === 'object' && 'code' in error && typeof error.code === 'string') {
    return FIELDS_OF[error.code] ?? [];
  }
  return [];
}

export function describeError(error: unknown): string {
  if (error instanceof FieldError) return error.message;
  if (error && typeof error === 'object' && 'code' in error && typeof error.code === 'string') {
    const known = MESSAGES[error.code];
    if (known) return known;
    // Callable functions answer invalid-argument etc. with a message written for people.
    // So do downloads (firebase/downloads.ts).
    const readable = error.code.startsWith('functions/') || error.code.startsWith('download/');
    if (readable && 'message' in error && typeof error.message === 'string') {
      // The SDK appends the HTTP status (" [400]"), which means nothing to a member.
      return error.message.replace(/ \[\d{3}\]$/, '');
    }
  }
  return 'Something went wrong. Please try again.';
}
