import { HttpsError } from 'firebase-functions/v2/https';
import type { z } from 'zod';

/** Formats zod issues as one sentence-like line a member can read (the client shows it as is). */
export function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .map((issue) => (issue.path.length > 0 ? `${issue.path.join('.')}: ${issue.message}` : issue.message))
    .join('; ');
}

/** Parses callable input, answering bad input with `invalid-argument` rather than letting it surface as `internal`. */
export function parseInput<Schema extends z.ZodType>(schema: Schema, data: unknown): z.output<Schema> {
  const result = schema.safeParse(data);
  if (!result.success) throw new HttpsError('invalid-argument', describeIssues(result.error.issues));
  return result.data;
}
