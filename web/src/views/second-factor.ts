import {
  finishSecondFactor,
  type MultiFactorError,
  type SecondFactorChallenge,
  startSecondFactor,
} from '../firebase/mfa.js';
import { field, formValue, h, statusRegion } from '../ui/dom.js';
import { describeError } from '../ui/errors.js';
import { onSubmit } from '../ui/form.js';

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
  let challenge: SecondFactorChallenge | undefined;
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
    onCancel ? h('button', { type: 'button', class: 'secondary', onclick: onCancel }, 'Cancel') : null,
    status,
  );

  const sending = startSecondFactor(error).then(
    (started) => {
      challenge = started;
      sentTo.textContent = `We sent a code to ${started.hint}.`;
    },
    (sendError: unknown) => {
      sentTo.textContent = 'We could not send a code.';
      status.textContent = describeError(sendError);
    },
  );

  onSubmit(form, status, 'Checking the code…', async () => {
    await sending;
    if (!challenge) throw Object.assign(new Error('No code sent'), { code: 'auth/code-expired' });
    await finishSecondFactor(challenge, formValue(form, 'sms-code').trim());
    onDone();
    return 'Verified.';
  });
  return form;
}
