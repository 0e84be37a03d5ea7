/**
 * Who is calling. Mirrors firebase-tools (`storage/rules/utils.js` `isValidAdminCredentials`):
 * `Bearer owner` / `Firebase owner` is the admin that bypasses rules; any other token is decoded
 * without verification (the Auth emulator signs with `alg: none`, wire-protocols §C) into
 * `request.auth = {uid, token}`; no header means `request.auth == null`.
 */
import type { RulesAuth } from '../rules/api.js';

export type Caller = { admin: true } | { admin: false; auth: RulesAuth | null };

export const ADMIN: Caller = { admin: true };

/**
 * @google-cloud/storage sends no Authorization header to an emulator, also on the one `/v0` call
 * firebase-admin makes (`getDownloadURL` reads `downloadTokens`). Its `x-goog-api-client` header
 * (`… gccl/<version> …`) identifies it; such a request without a token is the admin. This is a
 * deliberate difference from firebase-tools, where admin getDownloadURL depends on the rules.
 */
export function isGcsClient(apiClientHeader: string | undefined): boolean {
  return /(?:^|\s)gccl\//.test(apiClientHeader ?? '');
}

export function callerFromAuthorization(header: string | undefined): Caller {
  if (!header) return { admin: false, auth: null };
  const space = header.indexOf(' ');
  const token = (space === -1 ? header : header.slice(space + 1)).trim();
  if (token === 'owner') return ADMIN;
  return { admin: false, auth: decodeIdToken(token) };
}

/** Undecodable tokens yield null (unauthenticated), as `jsonwebtoken.decode` does in firebase-tools. */
export function decodeIdToken(token: string): RulesAuth | null {
  const parts = token.split('.');
  if (parts.length < 2 || !parts[1]) return null;
  let payload: unknown;
  try {
    payload = JSON.parse(Buffer.from(parts[1], 'base64url').toString('utf8'));
  } catch {
    return null;
  }
  if (!payload || typeof payload !== 'object' || Array.isArray(payload)) return null;
  const claims = payload as Record<string, unknown>;
  const uid = typeof claims['sub'] === 'string' ? claims['sub'] : claims['user_id'];
  if (typeof uid !== 'string' || uid === '') return null;
  return { uid, token: claims };
}
