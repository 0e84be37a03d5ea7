/** The same pattern as firestore.rules (`isUsername`): the rules are the authority, this only gives early feedback. */
export const USERNAME_PATTERN = /^[a-z0-9_]{3,20}$/;

export type UsernameCheck = { ok: true; name: string } | { ok: false; message: string };

/**
 * Usernames are unique regardless of case, so the canonical form (the usernames/ document id)
 * is the trimmed, lower-cased input.
 */
export function checkUsername(input: string): UsernameCheck {
  const name = input.trim().toLowerCase();
  if (name.length < 3 || name.length > 20) {
    return { ok: false, message: 'Choose a username of 3 to 20 characters.' };
  }
  if (!USERNAME_PATTERN.test(name)) {
    return { ok: false, message: 'Use only letters, digits and underscores in your username.' };
  }
  return { ok: true, name };
}
