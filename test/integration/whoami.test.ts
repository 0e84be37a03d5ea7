import { createUserWithEmailAndPassword, getAuth } from 'firebase/auth';
import { getFunctions, httpsCallable } from 'firebase/functions';
import { afterEach, describe, expect, it } from 'vitest';
import { testClient, uniqueEmail, verifyEmailInEmulator } from '../support/client.js';

interface WhoAmI {
  uid: string;
  email: string | null;
  emailVerified: boolean;
}

const clients: Array<{ close: () => Promise<void> }> = [];
afterEach(async () => {
  await Promise.all(clients.splice(0).map((c) => c.close()));
});

describe('whoami callable through the Functions emulator', () => {
  it('answers unauthenticated without a signed-in user', async () => {
    const client = testClient();
    clients.push(client);
    const whoami = httpsCallable<void, WhoAmI>(getFunctions(client.app, 'us-central1'), 'whoami');
    await expect(whoami()).rejects.toMatchObject({ code: 'functions/unauthenticated' });
  });

  it('reports the Auth-emulator user that called it, then its verified state after a token refresh', async () => {
    const client = testClient();
    clients.push(client);
    const auth = getAuth(client.app);
    const email = uniqueEmail();
    const { user } = await createUserWithEmailAndPassword(auth, email, 'correct horse battery');
    const whoami = httpsCallable<void, WhoAmI>(getFunctions(client.app, 'us-central1'), 'whoami');

    const before = (await whoami()).data;
    expect(before).toEqual({ uid: user.uid, email, emailVerified: false });

    await verifyEmailInEmulator(user.uid);
    await user.getIdToken(true);
    const after = (await whoami()).data;
    expect(after.emailVerified).toBe(true);
  });
});
