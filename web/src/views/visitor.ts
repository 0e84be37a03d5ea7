import { signIn, signUp } from '../firebase/auth.js';
import { field, formValue, h, statusRegion } from '../ui/dom.js';
import { describeError } from '../ui/errors.js';

type Mode = 'sign-in' | 'sign-up';

/** Landing page for signed-out visitors: one form that switches between sign in and sign up. */
export function visitorView(mode: Mode = 'sign-in'): HTMLElement {
  const status = statusRegion();
  const isSignUp = mode === 'sign-up';
  const submitLabel = isSignUp ? 'Sign up' : 'Sign in';

  const form = h(
    'form',
    { class: 'card', novalidate: false },
    h('h1', {}, isSignUp ? 'Create your account' : 'Sign in to Member Portal'),
    field('Email', { name: 'email', type: 'email', autocomplete: 'email' }),
    field('Password', {
      name: 'password',
      type: 'password',
      autocomplete: isSignUp ? 'new-password' : 'current-password',
      minlength: isSignUp ? '8' : undefined,
    }),
    h('button', { type: 'submit' }, submitLabel),
    status,
  );

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const button = form.querySelector('button');
    if (button) button.disabled = true;
    status.textContent = isSignUp ? 'Creating your account…' : 'Signing in…';
    try {
      const email = formValue(form, 'email').trim();
      const password = formValue(form, 'password');
      if (isSignUp) await signUp(email, password);
      else await signIn(email, password);
      // The auth-state listener in main.ts renders the next page.
    } catch (error) {
      status.textContent = describeError(error);
      if (button) button.disabled = false;
    }
  });

  const other: Mode = isSignUp ? 'sign-in' : 'sign-up';
  const switcher = h(
    'p',
    { class: 'switch' },
    isSignUp ? 'Already a member? ' : 'New here? ',
    h(
      'button',
      { type: 'button', class: 'link', onclick: () => form.replaceWith(visitorView(other)) },
      isSignUp ? 'Sign in instead' : 'Create an account',
    ),
  );
  form.append(switcher);
  return form;
}
