import { verificationEmail } from '../app/cooldown.js';
import type { PageContext } from '../app/page.js';
import { checkUsername } from '../data/username.js';
import {
  deleteJustCreatedUser,
  requestPasswordReset,
  sendVerification,
  signIn,
  signUp,
} from '../firebase/auth.js';
import { field, formValue, h, statusRegion } from '../ui/dom.js';
import { FieldError } from '../ui/errors.js';
import { onSubmit } from '../ui/form.js';

type Mode = 'sign-in' | 'sign-up' | 'reset';

const SECOND_FACTOR_REQUIRED = 'auth/multi-factor-auth-required';

const TITLES: Record<Mode, string> = {
  'sign-in': 'Sign in to Member Portal',
  'sign-up': 'Create your account',
  reset: 'Reset your password',
};

const PATHS: Record<Mode, string> = { 'sign-in': '/signin', 'sign-up': '/signup', reset: '/reset' };

/** The email typed on sign-in, handed to the reset form when the member follows "Forgot your password?". */
const TYPED_EMAIL = 'portal.typedEmail';

export const signInPage = (ctx: PageContext): HTMLElement => visitorView('sign-in', ctx);
export const signUpPage = (ctx: PageContext): HTMLElement => visitorView('sign-up', ctx);
export const resetPage = (ctx: PageContext): HTMLElement => visitorView('reset', ctx);

/** Pages for signed-out visitors: sign in, sign up, or ask for a password reset. */
function visitorView(mode: Mode, ctx: PageContext): HTMLElement {
  const status = statusRegion();
  status.textContent = ctx.notice;
  // The page asked for before sign-in travels with the visitor between these pages.
  const next = ctx.query.get('next');
  const link = (text: string, target: Mode) => {
    const a = h('a', { href: PATHS[target] + (next ? `?next=${encodeURIComponent(next)}` : '') }, text);
    if (target === 'reset') {
      a.addEventListener('click', () => sessionStorage.setItem(TYPED_EMAIL, formValue(form, 'email').trim()));
    }
    return a;
  };

  const fields: HTMLElement[] = [field('Email', { name: 'email', type: 'email', autocomplete: 'email' })];
  if (mode === 'sign-up') {
    fields.push(
      field('Username', {
        name: 'username',
        type: 'text',
        autocomplete: 'username',
        minlength: '3',
        maxlength: '20',
        title: '3 to 20 letters, digits or underscores',
      }),
      h('p', { class: 'hint' }, '3 to 20 letters, digits or underscores.'),
    );
  }
  if (mode !== 'reset') {
    fields.push(
      field('Password', {
        name: 'password',
        type: 'password',
        autocomplete: mode === 'sign-up' ? 'new-password' : 'current-password',
        minlength: mode === 'sign-up' ? '8' : undefined,
      }),
    );
  }

  const submitLabel = { 'sign-in': 'Sign in', 'sign-up': 'Sign up', reset: 'Send reset link' }[mode];
  const form = h(
    'form',
    { class: 'card' },
    h('h1', {}, TITLES[mode]),
    ...fields,
    h('button', { type: 'submit' }, submitLabel),
    status,
  );

  onSubmit(
    form,
    status,
    { 'sign-in': 'Signing in…', 'sign-up': 'Creating your account…', reset: 'Sending…' }[mode],
    async () => {
      const email = formValue(form, 'email').trim();
      const password = formValue(form, 'password');
      if (mode === 'sign-in') return signInOrSecondFactor(form, email, password, ctx);
      if (mode === 'sign-up') return createAccount(email, formValue(form, 'username'), password, ctx);
      await requestPasswordReset(email);
      if (import.meta.env.DEV) await offerDevResetLink(form, email);
      return 'If an account exists for that email, a reset link is on its way.';
    },
  );

  const switcher =
    mode === 'sign-in'
      ? h(
          'p',
          { class: 'switch' },
          'New here? ',
          link('Create an account', 'sign-up'),
          ' · ',
          link('Forgot your password?', 'reset'),
        )
      : h(
          'p',
          { class: 'switch' },
          mode === 'sign-up' ? 'Already a member? ' : '',
          link('Back to sign in', 'sign-in'),
        );
  form.append(switcher);
  if (mode === 'reset') {
    const typed = sessionStorage.getItem(TYPED_EMAIL);
    const input = form.querySelector<HTMLInputElement>('input[name=email]');
    if (typed && input) input.value = typed;
  }
  return form;
}

async function signInOrSecondFactor(
  form: HTMLElement,
  email: string,
  password: string,
  ctx: PageContext,
): Promise<string> {
  try {
    await signIn(email, password);
    // The router moves on to the page that was asked for once the session changes.
    return '';
  } catch (error) {
    // Only members with a second factor need its code (and the module that asks for it).
    if (!(error && typeof error === 'object' && 'code' in error && error.code === SECOND_FACTOR_REQUIRED)) {
      throw error;
    }
    const mfa = await import('../firebase/mfa.js');
    if (!mfa.isSecondFactorRequired(error)) throw error;
    const { secondFactorView } = await import('./second-factor.js');
    // Cancel starts the sign-in again, keeping the page that was asked for.
    form.replaceWith(
      secondFactorView(
        error,
        'Sign in',
        () => undefined,
        () => ctx.refresh(),
      ),
    );
    return '';
  }
}

/**
 * The Auth user comes first (the rules need its uid), then the profile and username in one
 * batch. If the batch fails the new user is removed again, so a taken name leaves nothing behind.
 */
async function createAccount(
  email: string,
  usernameInput: string,
  password: string,
  ctx: PageContext,
): Promise<string> {
  const username = checkUsername(usernameInput);
  if (!username.ok) throw new FieldError('username', username.message);
  await ctx.hold(async () => {
    const user = await signUp(email, password);
    try {
      const { createProfile } = await import('../data/profile.js');
      await createProfile(user.uid, username);
    } catch (error) {
      await deleteJustCreatedUser();
      throw error;
    }
    // A failed send is not fatal: the verification page offers "Resend email".
    await sendVerification()
      .then(() => verificationEmail.markSent())
      .catch(() => undefined);
  });
  return '';
}

/** In development the Auth emulator sends no mail; show the link the email would contain. */
async function offerDevResetLink(form: HTMLElement, email: string): Promise<void> {
  if (import.meta.env.DEV) {
    const { devEmailLink } = await import('../dev/oob-codes.js');
    const hint = await devEmailLink(email, 'PASSWORD_RESET');
    if (hint) form.append(hint);
  }
}
