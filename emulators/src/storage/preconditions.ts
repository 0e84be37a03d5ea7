/**
 * Generation and metageneration preconditions of the GCS JSON API
 * (https://cloud.google.com/storage/docs/request-preconditions; query parameters of objects.get,
 * objects.patch, objects.update, objects.delete, objects.insert, objects.copy, objects.rewrite):
 *
 *   ifGenerationMatch=n          the object's live generation is n; 0: there is no live object
 *   ifGenerationNotMatch=n       there is a live object and its generation is not n; 0: it exists
 *   ifMetagenerationMatch=n      there is a live object and its metageneration is n
 *   ifMetagenerationNotMatch=n   there is a live object and its metageneration is not n
 *
 * A condition that does not hold answers 412 with reason `conditionNotMet`; on reads (objects.get,
 * metadata or media) a failed `…NotMatch` answers 304 Not Modified instead, as HTTP's
 * If-None-Match does. Copies and rewrites take the same four for the destination and
 * `ifSource…` for the source object.
 */
import { badRequest, HttpError } from './errors.js';
import type { ObjectMetadata } from './metadata.js';

export interface Preconditions {
  ifGenerationMatch?: number;
  ifGenerationNotMatch?: number;
  ifMetagenerationMatch?: number;
  ifMetagenerationNotMatch?: number;
}

const KEYS = [
  'ifGenerationMatch',
  'ifGenerationNotMatch',
  'ifMetagenerationMatch',
  'ifMetagenerationNotMatch',
] as const;

const NOT_MET = 'At least one of the pre-conditions you specified did not hold.';

/**
 * The preconditions in a query string (`prefix` `'ifSource'` reads the source-object ones of a
 * copy). Undefined when none is given, so requests without any pay one lookup per key.
 */
export function parsePreconditions(params: URLSearchParams, source = false): Preconditions | undefined {
  let out: Preconditions | undefined;
  for (const key of KEYS) {
    const name = source ? `ifSource${key.slice(2)}` : key;
    const raw = params.get(name);
    if (raw === null) continue;
    const value = /^\d{1,19}$/.test(raw) ? Number(raw) : NaN;
    if (!Number.isSafeInteger(value))
      throw badRequest(`Invalid argument: ${name} must be a non-negative integer.`);
    (out ??= {})[key] = value;
  }
  return out;
}

/** Throws 412 (or 304 for a read's `…NotMatch`) unless every condition holds for `current`. */
export function checkPreconditions(
  current: ObjectMetadata | undefined,
  p: Preconditions | undefined,
  read = false,
): void {
  if (!p) return;
  const gen = current?.generation;
  const meta = current?.metageneration;
  const holds = {
    ifGenerationMatch:
      p.ifGenerationMatch === undefined ||
      (p.ifGenerationMatch === 0 ? !current : gen === p.ifGenerationMatch),
    ifMetagenerationMatch: p.ifMetagenerationMatch === undefined || meta === p.ifMetagenerationMatch,
    ifGenerationNotMatch:
      p.ifGenerationNotMatch === undefined ||
      (current !== undefined && (p.ifGenerationNotMatch === 0 || gen !== p.ifGenerationNotMatch)),
    ifMetagenerationNotMatch:
      p.ifMetagenerationNotMatch === undefined ||
      (current !== undefined && meta !== p.ifMetagenerationNotMatch),
  };
  if (!holds.ifGenerationMatch || !holds.ifMetagenerationMatch) throw conditionNotMet();
  if (!holds.ifGenerationNotMatch || !holds.ifMetagenerationNotMatch) {
    throw read && current ? new HttpError(304, 'Not Modified') : conditionNotMet();
  }
}

export function conditionNotMet(): HttpError {
  return new HttpError(412, NOT_MET, {
    error: {
      code: 412,
      message: NOT_MET,
      errors: [
        {
          message: NOT_MET,
          domain: 'global',
          reason: 'conditionNotMet',
          locationType: 'header',
          location: 'If-Match',
        },
      ],
    },
  });
}
