import { z } from 'zod';
import { normalizeCode } from './codes.js';

export const redeemAccessCodeInput = z.strictObject({
  code: z
    .string({ error: 'Enter an access code.' })
    .max(64, 'That does not look like an access code.')
    .transform(normalizeCode)
    .pipe(
      z
        .string()
        .min(1, 'Enter an access code.')
        .regex(/^[A-Z0-9]{8,32}$/, 'That does not look like an access code.'),
    ),
});

/** A member as staff type them: a username or an email address. */
const memberRef = z
  .string({ error: 'Enter a username or an email address.' })
  .trim()
  .min(3, 'Enter a username or an email address.')
  .max(254, 'That is too long for a username or an email address.');

const days = (what: string) =>
  z
    .number({ error: `${what} must be a number of days.` })
    .int(`${what} must be a whole number of days.`)
    .min(1, `${what} must be at least 1 day.`)
    .max(3650, `${what} can be at most 3650 days.`);

export const grantPremiumInput = z.strictObject({
  member: memberRef,
  /** Absent or null: premium without an end date. */
  days: days('Duration')
    .nullish()
    .transform((value) => value ?? null),
});

export const revokePremiumInput = z.strictObject({ member: memberRef });

export const createAccessCodesInput = z.strictObject({
  count: z
    .number({ error: 'Count must be a number.' })
    .int('Count must be a whole number.')
    .min(1, 'Create at least 1 code.')
    .max(100, 'Create at most 100 codes at a time.'),
  /** How long the codes can be redeemed. */
  validDays: days('Validity').max(365, 'Validity can be at most 365 days.'),
  /** How much premium one code grants; absent or null: no end date. */
  premiumDays: days('Premium period')
    .nullish()
    .transform((value) => value ?? null),
});
