/** The same pattern as firestore.rules (`isTypedUsername`): the rules are the authority, this only gives early feedback. */
export const USERNAME_PATTERN = /^[A-Za-z0-9_]{3,20}$/;

export type UsernameCheck = { ok: true; name: string; key: string } | { ok: false; message: string };

/**
 * The name is kept as the member typed it (trimmed); uniqueness ignores case, so the claim's key
 * (the usernames/ document id) is its lower-case form.
 */
export function checkUsername(input: string): UsernameCheck {
  const name = input.trim();
  if (name.length < 3 || name.length > 20) {
    return { ok: false, message: 'Choose a username of 3 to 20 characters.' };
  }
  if (!USERNAME_PATTERN.test(name)) {
    return { ok: false, message: 'Use only letters, digits and underscores in your username.' };
  }
  return { ok: true, name, key: name.toLowerCase() };
}
