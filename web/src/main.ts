import { startRouter } from './app/router.js';
import { startFirebase } from './firebase/app.js';
import { authReady } from './firebase/auth.js';

await startFirebase();
await authReady();
await startRouter();
