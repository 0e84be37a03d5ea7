import { createProfile } from '../data/profile.js';
import { checkUsername } from '../data/username.js';
import { field, formValue, h, statusRegion } from '../ui/dom.js';
import { FieldError } from '../ui/errors.js';
import { onSubmit } from '../ui/form.js';

/**
 * For a member whose sign-up stopped between creating the account and writing the profile
 * (say, the connection dropped): lets them claim a username now instead of being stuck.
 */
export function chooseUsernameForm(uid: string, onSaved: (username: string) => void): HTMLElement {
  const status = statusRegion();
  const form = h(
    'form',
    { class: 'stack' },
    h('p', {}, 'Your account has no username yet. Choose one to finish setting it up.'),
    field('Username', {
      name: 'username',
      type: 'text',
      autocomplete: 'username',
      minlength: '3',
      maxlength: '20',
    }),
    h('button', { type: 'submit' }, 'Save username'),
    status,
  );
  onSubmit(form, status, 'Saving…', async () => {
    const username = checkUsername(formValue(form, 'username'));
    if (!username.ok) throw new FieldError('username', username.message);
    await createProfile(uid, username);
    onSaved(username.name);
    form.remove();
  });
  return form;
}
