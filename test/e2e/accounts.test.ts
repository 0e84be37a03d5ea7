import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/browser.js';
import { goTo, navOffers, signOutOf } from '../support/nav.js';
import { uniqueEmail } from '../support/client.js';
import { smsCodeFor, smsCodesSentTo } from '../support/sms.js';
import { startWebApp } from '../support/web-server.js';

// The account lifecycle in Chromium at phone size, against the Auth, Functions and Firestore emulators.

let browser: Browser;
let web: { url: string; close: () => Promise<void> };

beforeAll(async () => {
  [browser, web] = await Promise.all([launchChromium(), startWebApp()]);
});
afterAll(async () => {
  await browser?.close();
  await web?.close();
});

const PASSWORD = 'a long enough password';

interface Visitor {
  email: string;
  username: string;
  password: string;
}

function newVisitor(): Visitor {
  const suffix = Math.random().toString(36).slice(2, 10);
  return { email: uniqueEmail('e2e'), username: `E2e_${suffix}`, password: PASSWORD };
}

async function openApp(): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  await page.goto(web.url);
  return page;
}

function status(page: Page, scope?: string) {
  const root = scope ? page.getByRole('region', { name: scope }) : page;
  return root.getByRole('status');
}

async function expectStatus(page: Page, text: string, scope?: string): Promise<void> {
  await expect.poll(() => status(page, scope).first().textContent(), { timeout: 15_000 }).toBe(text);
}

async function signUp(page: Page, visitor: Visitor, username = visitor.username): Promise<void> {
  await page.getByRole('main').getByRole('link', { name: 'Create an account' }).click();
  await page.getByLabel('Email', { exact: true }).fill(visitor.email);
  await page.getByLabel('Username', { exact: true }).fill(username);
  await page.getByLabel('Password', { exact: true }).fill(visitor.password);
  await page.getByRole('button', { name: 'Sign up' }).click();
}

async function signIn(page: Page, email: string, password: string): Promise<void> {
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

/** Follows the development link to the verification email and continues to the welcome page. */
async function verifyThroughDevLink(page: Page, visitor: Visitor): Promise<void> {
  await page.getByRole('heading', { name: 'Verify your email' }).waitFor();
  await page.getByRole('link', { name: 'Open the verification email' }).click();
  await expectStatus(page, 'Your email address is verified.');
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByRole('heading', { name: `Welcome back, ${visitor.username}!` }).waitFor();
}

async function signedUpAndVerified(): Promise<{ page: Page; visitor: Visitor }> {
  const page = await openApp();
  const visitor = newVisitor();
  await signUp(page, visitor);
  await verifyThroughDevLink(page, visitor);
  return { page, visitor };
}

describe('accounts in the browser', () => {
  it('signs up, is held at verification, verifies through the link and is welcomed by username', async () => {
    const page = await openApp();
    const visitor = newVisitor();
    await signUp(page, visitor);

    await page.getByRole('heading', { name: 'Verify your email' }).waitFor();
    await expect.poll(() => page.getByRole('button', { name: /^Resend email/ }).isDisabled()).toBe(true);
    await page.getByRole('button', { name: "I've verified it" }).click();
    await expectStatus(page, 'Your email is not verified yet. Open the link in the email first.');
    expect(await navOffers(page, 'Account')).toBe(false);

    await verifyThroughDevLink(page, visitor);

    await signOutOf(page);
    await signIn(page, visitor.email, visitor.password);
    await page.getByRole('heading', { name: `Welcome back, ${visitor.username}!` }).waitFor();

    // The page fits a phone: nothing scrolls sideways.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await page.context().close();
  });

  it('refuses a username that is taken, in any letter case, and leaves no account behind', async () => {
    const first = await openApp();
    const owner = newVisitor();
    await signUp(first, owner);
    await first.getByRole('heading', { name: 'Verify your email' }).waitFor();
    await first.context().close();

    const page = await openApp();
    const second = newVisitor();
    await signUp(page, second, owner.username.toUpperCase());
    await expectStatus(page, 'That username is taken.');
    await expect.poll(() => page.getByRole('button', { name: 'Sign up' }).isEnabled()).toBe(true);
    // The error is tied to its field: marked invalid, described by the sentence, and focused.
    const usernameField = page.getByLabel('Username', { exact: true });
    expect(await usernameField.getAttribute('aria-invalid')).toBe('true');
    const describedBy = (await usernameField.getAttribute('aria-describedby')) ?? '';
    expect(await page.locator(`[id="${describedBy}"]`).textContent()).toBe('That username is taken.');
    await expect.poll(() => usernameField.evaluate((el) => el === document.activeElement)).toBe(true);

    // The Auth user created for the failed sign-up was removed again.
    await page.getByRole('link', { name: 'Back to sign in' }).click();
    await signIn(page, second.email, second.password);
    await expectStatus(page, 'Email or password is incorrect.');
    await page.context().close();
  });

  it('shows one clear error for a wrong password or an unknown email', async () => {
    const { page, visitor } = await signedUpAndVerified();
    await signOutOf(page);

    await signIn(page, visitor.email, 'not the password');
    await expectStatus(page, 'Email or password is incorrect.');
    await page.reload();
    await signIn(page, uniqueEmail('nobody'), 'not the password');
    await expectStatus(page, 'Email or password is incorrect.');
    await page.context().close();
  });

  it('resets a forgotten password through the reset link', async () => {
    const { page, visitor } = await signedUpAndVerified();
    await signOutOf(page);

    await page.getByRole('link', { name: 'Forgot your password?' }).click();
    await page.getByLabel('Email', { exact: true }).fill(visitor.email);
    await page.getByRole('button', { name: 'Send reset link' }).click();
    await expectStatus(page, 'If an account exists for that email, a reset link is on its way.');
    await page.getByRole('link', { name: 'Open the password reset email' }).click();

    await page.getByLabel('New password', { exact: true }).fill('a brand new password');
    await page.getByRole('button', { name: 'Save new password' }).click();
    await expectStatus(page, 'Your password has been changed. Sign in with the new one.');
    await page.getByRole('button', { name: 'Continue' }).click();

    await signIn(page, visitor.email, visitor.password);
    await expectStatus(page, 'Email or password is incorrect.');
    await signIn(page, visitor.email, 'a brand new password');
    await page.getByRole('heading', { name: `Welcome back, ${visitor.username}!` }).waitFor();
    await page.context().close();
  });

  it('enrols an SMS second factor, which is then required at sign-in', async () => {
    const { page, visitor } = await signedUpAndVerified();
    const phone = `+1555${Math.floor(1_000_000 + Math.random() * 8_999_999)}`;

    await goTo(page, 'Account');
    const mfa = page.getByRole('region', { name: 'Second factor' });
    await mfa.getByLabel('Current password', { exact: true }).fill(visitor.password);
    await mfa.getByLabel('Phone number', { exact: true }).fill(phone);
    await mfa.getByRole('button', { name: 'Send code' }).click();
    await mfa.getByLabel('SMS code', { exact: true }).fill(await smsCodeFor(phone));
    await mfa.getByRole('button', { name: 'Turn on second factor' }).click();
    await expectStatus(
      page,
      'Second factor turned on. You will need a code at each sign-in.',
      'Second factor',
    );
    await mfa.getByRole('button', { name: `Remove ${phone}` }).waitFor();

    await signOutOf(page);
    const codesBefore = await smsCodesSentTo(phone).then((c) => c.length);
    await signIn(page, visitor.email, visitor.password);
    await page.getByRole('heading', { name: 'Enter your verification code' }).waitFor();
    expect(await page.getByRole('heading', { name: /Welcome back/ }).count()).toBe(0);
    await expect
      .poll(() => smsCodesSentTo(phone).then((c) => c.length), { timeout: 15_000 })
      .toBe(codesBefore + 1);

    await page.getByLabel('Verification code', { exact: true }).fill('000000');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expectStatus(page, 'That code is not right. Check the text message and try again.');

    await page.getByLabel('Verification code', { exact: true }).fill(await smsCodeFor(phone));
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: `Welcome back, ${visitor.username}!` }).waitFor();

    // Removing the factor is itself protected: password, then a fresh SMS code.
    await goTo(page, 'Account');
    await mfa.getByLabel('Current password', { exact: true }).fill(visitor.password);
    const codesBeforeRemoval = await smsCodesSentTo(phone).then((c) => c.length);
    await mfa.getByRole('button', { name: `Remove ${phone}` }).click();
    await mfa.getByRole('heading', { name: 'Enter your verification code' }).waitFor();
    await expect
      .poll(() => smsCodesSentTo(phone).then((c) => c.length), { timeout: 15_000 })
      .toBe(codesBeforeRemoval + 1);
    await mfa.getByLabel('Verification code', { exact: true }).fill(await smsCodeFor(phone));
    await mfa.getByRole('button', { name: 'Confirm' }).click();
    await expectStatus(page, 'Second factor removed.', 'Second factor');
    await mfa.getByText('No second factor yet.').waitFor();

    await signOutOf(page);
    await signIn(page, visitor.email, visitor.password);
    await page.getByRole('heading', { name: `Welcome back, ${visitor.username}!` }).waitFor();
    await page.context().close();
  });

  it('changes the password (after re-entering the old one) and the email (after confirming the new one)', async () => {
    const { page, visitor } = await signedUpAndVerified();
    await goTo(page, 'Account');

    const password = page.getByRole('region', { name: 'Change password' });
    await password.getByLabel('Current password', { exact: true }).fill('not my password');
    await password.getByLabel('New password', { exact: true }).fill('my second password');
    await password.getByRole('button', { name: 'Change password' }).click();
    await expectStatus(page, 'Email or password is incorrect.', 'Change password');
    await password.getByLabel('Current password', { exact: true }).fill(visitor.password);
    await password.getByRole('button', { name: 'Change password' }).click();
    await expectStatus(page, 'Your password has been changed.', 'Change password');

    const newEmail = uniqueEmail('changed');
    const email = page.getByRole('region', { name: 'Change email' });
    await email.getByLabel('New email', { exact: true }).fill(newEmail);
    await email.getByLabel('Current password', { exact: true }).fill('my second password');
    await email.getByRole('button', { name: 'Send confirmation link' }).click();
    await expectStatus(
      page,
      `We sent a link to ${newEmail}. Your email changes when you open it.`,
      'Change email',
    );
    await email.getByRole('link', { name: 'Open the confirmation email' }).click();
    await expectStatus(page, 'Your email address has been changed.');
    await page.getByRole('button', { name: 'Continue' }).click();

    const welcome = page.getByRole('heading', { name: /^Welcome back/ });
    await page.getByRole('heading', { name: 'Sign in to Member Portal' }).or(welcome).waitFor();
    if (await welcome.isVisible()) await signOutOf(page);
    await signIn(page, visitor.email, 'my second password');
    await expectStatus(page, 'Email or password is incorrect.');
    await page.reload();
    await signIn(page, newEmail, 'my second password');
    await page.getByRole('heading', { name: `Welcome back, ${visitor.username}!` }).waitFor();
    await page.context().close();
  });

  it('asks the server who I am, downloads my data and deletes my account from the account page', async () => {
    const { page, visitor } = await signedUpAndVerified();
    await goTo(page, 'Account');

    await page.getByRole('button', { name: 'Ask the server who I am' }).click();
    await expectStatus(page, `The server sees ${visitor.email} (verified).`, 'Server check');

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download my data' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('member-portal-data.json');
    const path = await download.path();
    const exported = JSON.parse(await import('node:fs/promises').then((fs) => fs.readFile(path, 'utf8'))) as {
      profile: { username: string };
      account: { email: string };
    };
    expect(exported.profile.username).toBe(visitor.username);
    expect(exported.account.email).toBe(visitor.email);

    // Deletion has its own page, confirmed by typing the username (failures.test.ts covers it more).
    const danger = page.getByRole('region', { name: 'Delete account' });
    await danger.getByRole('link', { name: 'Delete your account…' }).click();
    await page.getByLabel('Type your username to confirm').fill(visitor.username);
    await page.getByLabel('Current password', { exact: true }).fill(visitor.password);
    await page.getByRole('button', { name: 'Delete my account' }).click();
    await expectStatus(page, 'Your account and all its data have been deleted.');

    await signIn(page, visitor.email, visitor.password);
    await expectStatus(page, 'Email or password is incorrect.');
    await page.context().close();
  });
});
