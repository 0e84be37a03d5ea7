import type { PageContext } from '../app/page.js';
import { signOut } from '../firebase/auth.js';
import { field, formValue, h, statusRegion } from '../ui/dom.js';
import { onSubmit } from '../ui/form.js';
import { confirmIdentity } from './confirm-identity.js';

/** "Delete account", offered on the verification gate and on the account page. */
export function deleteAccountSection(ctx: PageContext): HTMLElement {
  const status = statusRegion();
  const form = h(
    'form',
    { class: 'stack' },
    field('Current password', {
      name: 'delete-password',
      type: 'password',
      autocomplete: 'current-password',
    }),
    h('button', { type: 'submit', class: 'danger' }, 'Delete my account'),
    status,
  );
  const section = h(
    'section',
    { class: 'card', 'aria-labelledby': 'delete-heading' },
    h('h2', { id: 'delete-heading' }, 'Delete account'),
    h('p', {}, 'This removes your account, profile, messages and files for good.'),
    form,
  );
  onSubmit(form, status, 'Deleting your account…', async () => {
    await confirmIdentity(formValue(form, 'delete-password'), section);
    await ctx.hold(async () => {
      const { deleteMyAccount } = await import('../firebase/functions.js');
      await deleteMyAccount();
      await signOut();
    });
    ctx.navigate('/signin', { replace: true, notice: 'Your account and all its data have been deleted.' });
  });
  return section;
}
