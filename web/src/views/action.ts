import { showCurrent } from '../app/session.js';
import { applyEmailCode, refreshUser, resetPassword } from '../firebase/auth.js';
import { field, formValue, h, statusRegion } from '../ui/dom.js';
import { describeError } from '../ui/errors.js';
import { onSubmit } from '../ui/form.js';

/** The links in our emails lead here (`?mode=…&oobCode=…`), so the member stays in the app. */
export interface EmailAction {
  mode: 'verifyEmail' | 'verifyAndChangeEmail' | 'resetPassword';
  oobCode: string;
}

export function readEmailAction(search: string): EmailAction | null {
  const params = new URLSearchParams(search);
  const mode = params.get('mode');
  const oobCode = params.get('oobCode');
  if (!oobCode) return null;
  if (mode === 'verifyEmail' || mode === 'verifyAndChangeEmail' || mode === 'resetPassword') {
    return { mode, oobCode };
  }
  return null;
}

function continueButton(): HTMLElement {
  return h('button', { type: 'button', onclick: () => showCurrent(true) }, 'Continue');
}

export function emailActionView(action: EmailAction): HTMLElement {
  return action.mode === 'resetPassword' ? resetView(action.oobCode) : applyView(action);
}

function applyView(action: EmailAction): HTMLElement {
  const status = statusRegion();
  status.textContent = 'Checking the link…';
  const card = h('section', { class: 'card' }, h('h1', {}, 'Confirm your email'), status);
  applyEmailCode(action.oobCode)
    .then(() => refreshUser())
    .then(
      () => {
        status.textContent =
          action.mode === 'verifyEmail'
            ? 'Your email address is verified.'
            : 'Your email address has been changed.';
        card.append(continueButton());
      },
      (error: unknown) => {
        status.textContent = describeError(error);
        card.append(continueButton());
      },
    );
  return card;
}

function resetView(oobCode: string): HTMLElement {
  const status = statusRegion();
  const form = h(
    'form',
    { class: 'card' },
    h('h1', {}, 'Choose a new password'),
    field('New password', {
      name: 'new-password',
      type: 'password',
      autocomplete: 'new-password',
      minlength: '8',
    }),
    h('button', { type: 'submit' }, 'Save new password'),
    status,
  );
  onSubmit(form, status, 'Saving…', async () => {
    await resetPassword(oobCode, formValue(form, 'new-password'));
    form.querySelector('button[type=submit]')?.remove();
    form.append(continueButton());
    return 'Your password has been changed. Sign in with the new one.';
  });
  return form;
}
