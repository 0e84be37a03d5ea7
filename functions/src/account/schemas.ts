import { z } from 'zod';
import { noInput } from '../validation.js';

export const exportMyDataInput = noInput('exportMyData');

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
