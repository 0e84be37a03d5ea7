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
  'functions/unauthenticated': 'Please sign in first.',
  'functions/permission-denied': 'You do not have access to that.',
  'functions/resource-exhausted': 'Too many requests. Please wait and try again.',
  'permission-denied': 'You do not have access to that.',
  'storage/unauthorized': 'You do not have access to that file.',
  'storage/canceled': 'The transfer was cancelled.',
};

export function describeError(error: unknown): string {
  if (error && typeof error === 'object' && 'code' in error && typeof error.code === 'string') {
    const known = MESSAGES[error.code];
    if (known) return known;
    // Callable functions answer invalid-argument etc. with a message written for people.
    if (error.code.startsWith('functions/') && 'message' in error && typeof error.message === 'string') {
      return error.message;
    }
  }
  return 'Something went wrong. Please try again.';
}
