/**
 * Caller identity from the `Authorization` header. Tokens from the Auth emulator and from
 * `createMockUserToken` are unsigned JWTs (alg none); like firebase-tools we never verify them, we
 * only decode the payload (wire-protocols §C). `Bearer owner` is the admin credential that
 * @google-cloud/firestore and rules-unit-testing's withSecurityRulesDisabled send.
 */
import type { RulesAuth } from '../rules/api.js';
import { Code, FirestoreError } from './errors.js';

export interface Caller {
  owner: boolean;
  auth: RulesAuth | null;
}

export const OWNER: Caller = { owner: true, auth: null };
export const ANONYMOUS: Caller = { owner: false, auth: null };

export function callerFromHeader(header: string | undefined | null): Caller {
  if (!header) return ANONYMOUS;
  const space = header.indexOf(' ');
  const token = (space >= 0 ? header.slice(space + 1) : header).trim();
  if (token === 'owner') return OWNER;
  if (token === '') return ANONYMOUS;
  const parts = token.split('.');
  if (parts.length < 2) throw unauthenticated();
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8'));
  } catch {
    throw unauthenticated();
  }
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) throw unauthenticated();
  const claims = payload as Record<string, unknown>;
  const uid = typeof claims['sub'] === 'string' ? claims['sub'] : claims['user_id'];
  if (typeof uid !== 'string' || uid === '') throw unauthenticated();
  return { owner: false, auth: { uid, token: claims } };
}

function unauthenticated(): FirestoreError {
  return new FirestoreError(
    Code.UNAUTHENTICATED,
    'Invalid Authorization header: expected "Bearer <ID token>".',
  );
}
