import { z } from 'zod';

/** exportMyData takes nothing; the web SDK sends `null` for a call without data. */
export const exportMyDataInput = z.union([z.null(), z.undefined(), z.strictObject({})], {
  error: 'exportMyData takes no input.',
});

/** Deletion is irreversible, so the client must say so explicitly rather than by an empty call. */
export const deleteMyAccountInput = z.strictObject(
  {
    confirm: z.literal(true, { error: 'Confirm that you want to delete your account.' }),
  },
  {
    error: (issue) =>
      issue.code === 'unrecognized_keys'
        ? `Unexpected field: ${issue.keys.join(', ')}.`
        : 'Confirm that you want to delete your account.',
  },
);
