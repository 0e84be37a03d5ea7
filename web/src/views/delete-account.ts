import type { PageContext } from '../app/page.js';
import {
  confirmationFor,
  confirms,
  type DeletionStep,
  deletionFailure,
  stepFraction,
  stepText,
} from '../data/account-deletion.js';
import { loadProfile } from '../data/profile.js';
import { signOut } from '../firebase/auth.js';
import { field, formValue, h, statusRegion } from '../ui/dom.js';
import { describeError } from '../ui/errors.js';
import { clearFieldErrors, showFieldError } from '../ui/field-errors.js';
import { progressBar } from '../ui/progress.js';
import { confirmIdentity } from './confirm-identity.js';
import '../ui/failures.css';

/** Where the account page offers deletion: a link to its own page, not a form among the settings. */
export function deleteAccountSection(_ctx?: PageContext): HTMLElement {
  return h(
    'section',
    { class: 'card', 'aria-labelledby': 'delete-heading' },
    h('h2', { id: 'delete-heading' }, 'Delete account'),
    h('p', {}, 'Remove your account, profile, messages and files for good.'),
    h('p', {}, h('a', { href: '/account/delete' }, 'Delete your account…')),
  );
}

/**
 * /account/delete, open to verified and unverified members alike (DESIGN §2: the verification
 * gate offers deletion). The member types their username (or email) and password, then sees each
 * step while it runs; a failure says what happened and leaves the form ready to try again.
 */
export async function deleteAccountPage(ctx: PageContext): Promise<HTMLElement> {
  const user = ctx.user!;
  const username = user.emailVerified
    ? await loadProfile(user.uid).then(
        (profile) => profile?.username ?? null,
        () => null,
      )
    : null;
  const confirmation = confirmationFor(username, user.email);
  const back = user.emailVerified ? '/account' : '/verify';

  const status = statusRegion();
  const bar = progressBar('Deleting your account');
  const progress = h('div', { class: 'deletion-progress', hidden: true }, bar.element);
  const submit = h('button', { type: 'submit', class: 'danger' }, 'Delete my account');
  const form = h(
    'form',
    { class: 'stack', novalidate: true },
    field(`Type your ${confirmation.kind} to confirm`, {
      name: 'delete-confirm',
      type: 'text',
      autocomplete: 'off',
    }),
    field('Current password', {
      name: 'delete-password',
      type: 'password',
      autocomplete: 'current-password',
    }),
    submit,
    progress,
    status,
  );
  const confirmInput = form.querySelector<HTMLInputElement>('[name="delete-confirm"]')!;
  confirmInput.setAttribute('spellcheck', 'false');
  confirmInput.setAttribute('autocapitalize', 'off');
  // What to type sits between the label and the field, and is read with the field.
  const word = h(
    'p',
    { id: 'delete-confirm-word', class: 'hint' },
    `Your ${confirmation.kind}: `,
    h('span', { class: 'confirm-word' }, confirmation.word),
  );
  confirmInput.before(word);
  confirmInput.setAttribute('aria-describedby', word.id);

  const section = h(
    'section',
    { class: 'card danger-zone deletion', 'aria-labelledby': 'delete-page-heading' },
    h('h1', { id: 'delete-page-heading' }, 'Delete your account'),
    h('p', {}, 'This cannot be undone. Deleting your account removes for good:'),
    h(
      'ul',
      {},
      h('li', {}, 'your sign-in and profile'),
      h('li', {}, 'your messages with the company and the files you sent'),
      h('li', {}, 'your premium access'),
    ),
    form,
    h('p', {}, h('a', { href: back }, 'Keep my account')),
  );

  const step = (now: DeletionStep): void => {
    bar.set(stepFraction(now));
    status.textContent = stepText(now);
  };

  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (submit.disabled) return;
    clearFieldErrors(form);
    status.textContent = '';
    if (!confirms(formValue(form, 'delete-confirm'), confirmation)) {
      const message = `Type your ${confirmation.kind} exactly as shown to confirm.`;
      showFieldError(form, 'delete-confirm', message);
      status.textContent = message;
      confirmInput.focus();
      return;
    }
    if (formValue(form, 'delete-password') === '') {
      const message = 'Enter your current password.';
      showFieldError(form, 'delete-password', message);
      status.textContent = message;
      form.querySelector<HTMLInputElement>('[name="delete-password"]')?.focus();
      return;
    }
    submit.disabled = true;
    progress.hidden = false;
    form.dataset.state = 'running';
    void (async () => {
      try {
        step('confirming');
        await confirmIdentity(formValue(form, 'delete-password'), section);
        step('deleting');
        await ctx.hold(async () => {
          const { deleteMyAccount } = await import('../firebase/functions.js');
          await deleteMyAccount();
          step('signing-out');
          await signOut();
        });
        bar.set(1);
        ctx.navigate('/signin', {
          replace: true,
          notice: 'Your account and all its data have been deleted.',
        });
      } catch (error) {
        const code = (error as { code?: unknown } | null)?.code;
        progress.hidden = true;
        form.dataset.state = 'failed';
        status.dataset.state = 'failed';
        status.textContent =
          deletionFailure(typeof code === 'string' ? code : undefined, navigator.onLine) ??
          describeError(error);
        submit.disabled = false;
      }
    })();
  });
  return section;
}
