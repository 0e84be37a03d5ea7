import type { PageContext } from '../app/page.js';
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

/** Continue leaves the link's address, so a reload does not try the used code again. */
function continueButton(ctx: PageContext): HTMLElement {
  return h('button', { type: 'button', onclick: () => ctx.navigate('/', { replace: true }) }, 'Continue');
}

/** The page our email links open (any path with `mode` and `oobCode`; see routes.ts). */
export function actionPage(ctx: PageContext): HTMLElement {
  const action = readEmailAction(`?${ctx.query.toString()}`);
  if (!action) {
    ctx.setTitle('Link not recognised');
    return h(
      'section',
      { class: 'card' },
      h('h1', {}, 'This link is not one of ours'),
      h('p', {}, h('a', { href: '/' }, 'Go to the home page')),
    );
  }
  return action.mode === 'resetPassword' ? resetView(action.oobCode, ctx) : applyView(action, ctx);
}

function applyView(action: EmailAction, ctx: PageContext): HTMLElement {
  const status = statusRegion();
  status.textContent = 'Checking the link…';
  const card = h('section', { class: 'card' }, h('h1', {}, 'Confirm your email'), status);
  applyEmailCode(action.oobCode)
    .then(() => refreshUser())
    .then(
      () => {
        // Other open tabs of the app refresh their token and move on too.
        ctx.accountChanged();
        status.textContent =
          action.mode === 'verifyEmail'
            ? 'Your email address is verified.'
            : 'Your email address has been changed.';
        card.append(continueButton(ctx));
      },
      (error: unknown) => {
        status.textContent = describeError(error);
        card.append(continueButton(ctx));
      },
    );
  return card;
}

function resetView(oobCode: string, ctx: PageContext): HTMLElement {
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
    form.append(continueButton(ctx));
    return 'Your password has been changed. Sign in with the new one.';
  });
  return form;
}
