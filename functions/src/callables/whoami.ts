import { onCall } from 'firebase-functions/v2/https';
import { requireCaller } from '../auth/caller.js';
import { noInput, parseInput } from '../validation.js';

const whoamiInput = noInput('whoami');

/** Proves the client → Functions path: who the backend thinks is calling. */
export const whoami = onCall((request) => {
  const caller = requireCaller(request.auth);
  parseInput(whoamiInput, request.data);
  return caller;
});
