import { httpsCallable } from 'firebase/functions';
import { functions } from './functions.js';

// The premium callables (functions/src/callables/{redeemAccessCode,grantPremium,…}.ts).

export interface PremiumChange {
  uid: string;
  email: string | null;
  active: boolean;
  until: number | null;
}

export interface CreatedCodes {
  codes: string[];
  expiresAt: number;
  premiumDays: number | null;
}

async function call<In, Out>(name: string, data: In): Promise<Out> {
  return (await httpsCallable<In, Out>(functions(), name)(data)).data;
}

export function redeemAccessCode(code: string): Promise<{ premium: true; until: number | null }> {
  return call('redeemAccessCode', { code });
}

export function grantPremium(member: string, days: number | null): Promise<PremiumChange> {
  return call('grantPremium', { member, days });
}

export function revokePremium(member: string): Promise<PremiumChange> {
  return call('revokePremium', { member });
}

export function createAccessCodes(
  count: number,
  validDays: number,
  premiumDays: number | null,
): Promise<CreatedCodes> {
  return call('createAccessCodes', { count, validDays, premiumDays });
}
