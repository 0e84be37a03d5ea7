import { onCall } from 'firebase-functions/v2/https';
import { requireCaller } from '../auth/caller.js';

/** Proves the client → Functions path: who the backend thinks is calling. */
export const whoami = onCall((request) => requireCaller(request.auth));
