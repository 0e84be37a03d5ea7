import { reauthenticate } from '../firebase/auth.js';

/**
 * Re-authenticates with the password before a sensitive change, asking for the SMS code
 * as well when the member has a second factor. The code form appears in `host`.
 */
export async function confirmIdentity(password: string, host: HTMLElement): Promise<void> {
  try {
    await reauthenticate(password);
  } catch (error) {
    const { isSecondFactorRequired } = await import('../firebase/mfa.js');
    if (!isSecondFactorRequired(error)) throw error;
    const { secondFactorView } = await import('./second-factor.js');
    await new Promise<void>((resolve, reject) => {
      const view = secondFactorView(
        error,
        'Confirm',
        () => {
          view.remove();
          resolve();
        },
        () => {
          view.remove();
          reject(Object.assign(new Error('Cancelled'), { code: 'auth/requires-recent-login' }));
        },
      );
      host.append(view);
    });
  }
}
