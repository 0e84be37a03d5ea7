import type { PageContext } from '../app/page.js';
import { changeEmail, changePassword, type User } from '../firebase/auth.js';
import { exportMyData, whoami } from '../firebase/functions.js';
import { enrolledFactors, finishEnrolment, startEnrolment, unenrol } from '../firebase/mfa.js';
import { field, formValue, h, statusRegion } from '../ui/dom.js';
import { onSubmit, runTask } from '../ui/form.js';
import { confirmIdentity } from './confirm-identity.js';
import { deleteAccountSection } from './delete-account.js';

// Account settings: loaded on demand (with the MFA and Functions SDKs), so the sign-in page stays small.

function section(id: string, title: string, ...children: Array<Node | string | null>): HTMLElement {
  return h('section', { class: 'card', 'aria-labelledby': id }, h('h2', { id }, title), ...children);
}

function serverCheck(): HTMLElement {
  const status = statusRegion();
  const ask = h('button', { type: 'button', class: 'secondary' }, 'Ask the server who I am');
  ask.addEventListener('click', () =>
    runTask(status, [ask], 'Asking…', async () => {
      const me = await whoami();
      return `The server sees ${me.email ?? me.uid} (${me.emailVerified ? 'verified' : 'not verified yet'}).`;
    }),
  );
  return section('server-heading', 'Server check', ask, status);
}

function passwordSection(): HTMLElement {
  const status = statusRegion();
  const form = h(
    'form',
    { class: 'stack' },
    field('Current password', {
      name: 'password-current',
      type: 'password',
      autocomplete: 'current-password',
    }),
    field('New password', {
      name: 'password-new',
      type: 'password',
      autocomplete: 'new-password',
      minlength: '8',
    }),
    h('button', { type: 'submit' }, 'Change password'),
    status,
  );
  const card = section('password-heading', 'Change password', form);
  onSubmit(form, status, 'Changing your password…', async () => {
    await confirmIdentity(formValue(form, 'password-current'), card);
    await changePassword(formValue(form, 'password-new'));
    form.reset();
    return 'Your password has been changed.';
  });
  return card;
}

function emailSection(user: User): HTMLElement {
  const status = statusRegion();
  const devSlot = h('div', {});
  const form = h(
    'form',
    { class: 'stack' },
    h('p', {}, `Your email is ${user.email ?? 'not set'}.`),
    field('New email', { name: 'email-new', type: 'email', autocomplete: 'email' }),
    field('Current password', { name: 'email-current', type: 'password', autocomplete: 'current-password' }),
    h('button', { type: 'submit' }, 'Send confirmation link'),
    status,
    devSlot,
  );
  const card = section('email-heading', 'Change email', form);
  onSubmit(form, status, 'Sending…', async () => {
    const newEmail = formValue(form, 'email-new').trim();
    await confirmIdentity(formValue(form, 'email-current'), card);
    await changeEmail(newEmail);
    if (import.meta.env.DEV) {
      const { devEmailLink } = await import('../dev/oob-codes.js');
      devSlot.replaceChildren((await devEmailLink(newEmail, 'VERIFY_AND_CHANGE_EMAIL')) ?? '');
    }
    return `We sent a link to ${newEmail}. Your email changes when you open it.`;
  });
  return card;
}

function secondFactorSection(): HTMLElement {
  const status = statusRegion();
  const list = h('ul', { class: 'factors' });
  const form = h(
    'form',
    { class: 'stack' },
    field('Current password', { name: 'mfa-current', type: 'password', autocomplete: 'current-password' }),
    field('Phone number', {
      name: 'mfa-phone',
      type: 'tel',
      autocomplete: 'tel',
      title: 'For example +44 7700 900123',
    }),
    h('button', { type: 'submit' }, 'Send code'),
  );
  const confirmForm = h(
    'form',
    { class: 'stack', hidden: true },
    field('SMS code', {
      name: 'mfa-code',
      type: 'text',
      inputmode: 'numeric',
      autocomplete: 'one-time-code',
    }),
    h('button', { type: 'submit' }, 'Turn on second factor'),
  );
  const card = section(
    'mfa-heading',
    'Second factor',
    h('p', {}, 'Protect your account with a code sent by text message at each sign-in.'),
    list,
    form,
    confirmForm,
    status,
  );

  const showFactors = (): void => {
    const factors = enrolledFactors();
    list.replaceChildren(
      ...(factors.length === 0
        ? [h('li', {}, 'No second factor yet.')]
        : factors.map((factor) => {
            const remove = h('button', { type: 'button', class: 'secondary' }, `Remove ${factor.label}`);
            remove.addEventListener('click', () =>
              runTask(status, [remove], 'Removing…', async () => {
                await confirmIdentity(formValue(form, 'mfa-current'), card);
                await unenrol(factor.uid);
                showFactors();
                return 'Second factor removed.';
              }),
            );
            return h('li', {}, `Text message to ${factor.label} `, remove);
          })),
    );
  };

  let verificationId = '';
  onSubmit(form, status, 'Sending a code…', async () => {
    const phone = formValue(form, 'mfa-phone').replace(/[\s()-]/g, '');
    await confirmIdentity(formValue(form, 'mfa-current'), card);
    verificationId = await startEnrolment(phone);
    confirmForm.hidden = false;
    return `We sent a code to ${phone}.`;
  });
  onSubmit(confirmForm, status, 'Checking the code…', async () => {
    const phone = formValue(form, 'mfa-phone').replace(/[\s()-]/g, '');
    await finishEnrolment(verificationId, formValue(confirmForm, 'mfa-code').trim(), phone);
    confirmForm.reset();
    confirmForm.hidden = true;
    form.reset();
    showFactors();
    return 'Second factor turned on. You will need a code at each sign-in.';
  });
  showFactors();
  return card;
}

function exportSection(): HTMLElement {
  const status = statusRegion();
  const download = h('button', { type: 'button' }, 'Download my data');
  download.addEventListener('click', () =>
    runTask(status, [download], 'Preparing your data…', async () => {
      const data = await exportMyData();
      const url = URL.createObjectURL(
        new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' }),
      );
      const link = h('a', { href: url, download: 'member-portal-data.json' });
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(url), 60_000);
      return 'Your data has been downloaded as member-portal-data.json.';
    }),
  );
  return section(
    'export-heading',
    'Your data',
    h('p', {}, 'Everything we store about you, as a JSON file.'),
    download,
    status,
  );
}

export function accountPage(ctx: PageContext): HTMLElement {
  const user = ctx.user!;
  return h(
    'div',
    { class: 'stack' },
    h(
      'div',
      { class: 'card' },
      h('h1', {}, 'Your account'),
      h('p', {}, `Signed in as ${user.email ?? 'member'}.`),
    ),
    passwordSection(),
    emailSection(user),
    secondFactorSection(),
    exportSection(),
    // A developer's check of the client → Functions path; members never see it.
    import.meta.env.DEV ? serverCheck() : null,
    deleteAccountSection(ctx),
  );
}
