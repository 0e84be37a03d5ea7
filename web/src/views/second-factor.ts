import {
  finishSecondFactor,
  type MultiFactorError,
  type SecondFactorChallenge,
  startSecondFactor,
} from '../firebase/mfa.js';
import { secondsLeft } from '../app/cooldown.js';
import { field, formValue, h, statusRegion } from '../ui/dom.js';
import { describeError } from '../ui/errors.js';
import { onSubmit } from '../ui/form.js';

const RESEND_COOLDOWN_MS = 60_000;

/**
 * Second step of a sign-in or re-authentication for members with an SMS factor: sends the
 * code, asks for it, and completes the step. Loaded on demand, with the MFA part of the SDK.
 */
export function secondFactorView(
  error: MultiFactorError,
  submitLabel: string,
  onDone: () => void = () => undefined,
  onCancel?: () => void,
): HTMLElement {
  const status = statusRegion();
  const sentTo = h('p', {}, 'Sending a code to your phone…');
  const resend = h('button', { type: 'button', class: 'secondary', disabled: true }, 'Resend code');
  let challenge: SecondFactorChallenge | undefined;
  let sentAt: number | null = null;
  const form = h(
    'form',
    { class: 'card' },
    h('h1', {}, 'Enter your verification code'),
    sentTo,
    field('Verification code', {
      name: 'sms-code',
      type: 'text',
      inputmode: 'numeric',
      autocomplete: 'one-time-code',
    }),
    h('button', { type: 'submit' }, submitLabel),
    resend,
    onCancel ? h('button', { type: 'button', class: 'secondary', onclick: onCancel }, 'Cancel') : null,
    status,
  );

  // A new code may be asked for once a minute, so a lost text message is never a dead end.
  const showCooldown = (): void => {
    const left = secondsLeft(sentAt, Date.now(), RESEND_COOLDOWN_MS);
    resend.disabled = sentAt === null || left > 0;
    resend.textContent = left > 0 ? `Resend code (${left} s)` : 'Resend code';
    if (left > 0) setTimeout(showCooldown, 1000);
  };
  const send = (): Promise<void> =>
    startSecondFactor(error).then(
      (started) => {
        challenge = started;
        sentAt = Date.now();
        sentTo.textContent = `We sent a code to ${started.hint}.`;
        showCooldown();
      },
      (sendError: unknown) => {
        sentTo.textContent = 'We could not send a code.';
        status.textContent = describeError(sendError);
        sentAt = null;
        resend.disabled = false;
      },
    );
  let sending = send();
  resend.addEventListener('click', () => {
    resend.disabled = true;
    status.textContent = 'Sending a new code…';
    sending = send().then(() => {
      if (challenge) status.textContent = 'A new code is on its way.';
    });
  });

  onSubmit(form, status, 'Checking the code…', async () => {
    await sending;
    if (!challenge) throw Object.assign(new Error('No code sent'), { code: 'auth/code-expired' });
    await finishSecondFactor(challenge, formValue(form, 'sms-code').trim());
    onDone();
    return 'Verified.';
  });
  return form;
}
