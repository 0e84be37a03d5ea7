import type { User } from '../firebase/auth.js';
import { staffAccess } from './staff-access.js';

/**
 * Whether this session may answer members: the staff claim and a second factor at sign-in, the
 * same test as isStaff() in the rules. Only decides what is shown; the rules decide what works.
 */
export async function canAnswerMessages(user: User): Promise<boolean> {
  const token = await user.getIdTokenResult();
  return staffAccess(token.claims, token.signInSecondFactor ?? null) === 'staff';
}
