import { HttpsError } from 'firebase-functions/v2/https';
import { z } from 'zod';

/** Formats zod issues as one sentence-like line a member can read (the client shows it as is). */
export function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .map((issue) => (issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message))
    .join('; ');
}

/** Keys that reach an object's prototype chain when assigned; no callable input has a use for them. */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * A copy of decoded callable input made only of own properties, in null-prototype objects.
 * firebase-functions decodes `{"__proto__": {...}}` by assignment, which sets the prototype of
 * the decoded object, and zod reads inherited properties: so such input, or a prototype that is
 * not Object's, is refused instead of copied.
 */
export function ownDataOnly(value: unknown, path: readonly (string | number)[] = []): unknown {
  if (Array.isArray(value)) return value.map((item, i) => ownDataOnly(item, [...path, i]));
  if (value === null || typeof value !== 'object') return value;
  const where = path.length > 0 ? `${path.join('.')}: ` : '';
  const proto = Object.getPrototypeOf(value) as unknown;
  if (proto !== Object.prototype && proto !== null) {
    throw new HttpsError('invalid-argument', `${where}__proto__ is not an allowed field.`);
  }
  const copy = Object.create(null) as Record<string, unknown>;
  for (const key of Object.keys(value)) {
    if (FORBIDDEN_KEYS.has(key))
      throw new HttpsError('invalid-argument', `${where}${key} is not an allowed field.`);
    copy[key] = ownDataOnly((value as Record<string, unknown>)[key], [...path, key]);
  }
  return copy;
}

/**
 * Parses callable input, answering bad input with `invalid-argument` rather than letting it
 * surface as `internal`. Every callable's input goes through here, from own data only.
 */
export function parseInput<Schema extends z.ZodType>(schema: Schema, data: unknown): z.output<Schema> {
  const result = schema.safeParse(ownDataOnly(data));
  if (!result.success) throw new HttpsError('invalid-argument', describeIssues(result.error.issues));
  return result.data;
}

/** For callables that take nothing; the web SDK sends `null` for a call without data. */
export function noInput(callable: string) {
  return z.union([z.null(), z.undefined(), z.strictObject({})], { error: `${callable} takes no input.` });
}
