import { verificationEmail } from '../app/cooldown.js';
import type { PageContext } from '../app/page.js';
import { refreshUser, sendVerification } from '../firebase/auth.js';
import { h, statusRegion } from '../ui/dom.js';
import { describeError } from '../ui/errors.js';

/** The only page an unverified member sees (DESIGN §2); rules and functions refuse them the rest. */
export function verifyPage(ctx: PageContext): HTMLElement {
  const user = ctx.user!;
  const status = statusRegion();
  const resend = h('button', { type: 'button', class: 'secondary' }, 'Resend email');
  const verified = h('button', { type: 'button' }, "I've verified it");
  const devSlot = h('div', {});

  let timer: ReturnType<typeof setInterval> | undefined;
  const showCooldown = (): void => {
    const left = verificationEmail.secondsLeft();
    resend.disabled = left > 0;
    resend.textContent = left > 0 ? `Resend email (${left} s)` : 'Resend email';
    if (left === 0 && timer !== undefined) {
      clearInterval(timer);
      timer = undefined;
    }
  };
  const startCooldown = (): void => {
    showCooldown();
    timer ??= setInterval(() => (resend.isConnected ? showCooldown() : clearInterval(timer)), 1000);
  };

  const showDevLink = async (): Promise<void> => {
    if (import.meta.env.DEV && user.email) {
      const { devEmailLink } = await import('../dev/oob-codes.js');
      devSlot.replaceChildren((await devEmailLink(user.email, 'VERIFY_EMAIL')) ?? '');
    }
  };

  resend.addEventListener('click', async () => {
    if (verificationEmail.secondsLeft() > 0) return;
    resend.disabled = true;
    try {
      await sendVerification();
      verificationEmail.markSent();
      status.textContent = `We sent a new link to ${user.email ?? 'your address'}.`;
      void showDevLink();
    } catch (error) {
      status.textContent = describeError(error);
    }
    startCooldown();
  });

  verified.addEventListener('click', async () => {
    verified.disabled = true;
    status.textContent = 'Checking…';
    try {
      const fresh = await refreshUser();
      if (fresh?.emailVerified) {
        // The router moves on to home (or the page asked for) once the session says verified.
        ctx.refresh();
        return;
      }
      status.textContent = 'Your email is not verified yet. Open the link in the email first.';
    } catch (error) {
      status.textContent = describeError(error);
    }
    verified.disabled = false;
  });

  startCooldown();
  void showDevLink();
  return h(
    'div',
    { class: 'stack' },
    h(
      'section',
      { class: 'card', 'aria-labelledby': 'verify-heading' },
      h('h1', { id: 'verify-heading' }, 'Verify your email'),
      h(
        'p',
        {},
        `We sent a link to ${user.email ?? 'your email address'}. Open it to finish creating your account.`,
      ),
      verified,
      resend,
      devSlot,
      status,
      // Deleting stays open to unverified members (DESIGN §2), on its own page with a confirmation.
      h(
        'p',
        { class: 'hint' },
        'Signed up by mistake? ',
        h('a', { href: '/account/delete' }, 'Delete your account'),
      ),
    ),
  );
}
