import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { localPorts, projectId } from '../../scripts/lib/project.js';
import { launchChromium } from '../support/browser.js';
import { uniqueEmail, verifyEmailInEmulator } from '../support/client.js';
import { goTo, signOutOf } from '../support/nav.js';
import { smsCodeFor } from '../support/sms.js';
import { adminApp, createStaff, createVerifiedMember } from '../support/staff.js';
import { startWebApp } from '../support/web-server.js';

// Issue 16: the portal as people use it in a browser: a verification link opened in another tab,
// reloads, deep links, Back and Forward, unknown addresses, focus. Phone size, Debian's Chromium.

let browser: Browser;
let web: { url: string; close: () => Promise<void> };
let admin: ReturnType<typeof adminApp>;
const origin = () => web.url.replace(/\/$/, '');

beforeAll(async () => {
  admin = adminApp();
  [browser, web] = await Promise.all([launchChromium(), startWebApp()]);
});
afterAll(async () => {
  await browser?.close();
  await web?.close();
  await admin?.close();
});

async function newContext(): Promise<BrowserContext> {
  return browser.newContext({ viewport: { width: 390, height: 844 } });
}

async function signUp(page: Page): Promise<{ email: string; username: string }> {
  const email = uniqueEmail('journey');
  const username = `j_${Math.random().toString(36).slice(2, 10)}`;
  await page.goto(`${origin()}/signup`);
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByLabel('Username', { exact: true }).fill(username);
  await page.getByLabel('Password', { exact: true }).fill('journey password');
  await page.getByRole('button', { name: 'Sign up' }).click();
  await page.getByRole('heading', { name: 'Verify your email' }).waitFor();
  expect(new URL(page.url()).pathname).toBe('/verify');
  return { email, username };
}

/** The verification code the Auth emulator "sent" to `email`. */
async function verificationCode(email: string): Promise<{ oobCode: string }> {
  const p = localPorts();
  const response = await fetch(`http://${p.host}:${p.auth}/emulator/v1/projects/${projectId()}/oobCodes`);
  const { oobCodes } = (await response.json()) as {
    oobCodes: Array<{ email: string; requestType: string; oobCode: string; oobLink: string }>;
  };
  const code = oobCodes.filter((c) => c.email === email && c.requestType === 'VERIFY_EMAIL').at(-1);
  if (!code) throw new Error(`no verification email for ${email}`);
  return code;
}

async function uidOf(email: string): Promise<string> {
  const { getAuth } = await import('firebase-admin/auth');
  return (await getAuth(admin.app).getUserByEmail(email)).uid;
}

const welcome = (page: Page, username: string) =>
  page.getByRole('heading', { name: `Welcome back, ${username}!` });

async function signIn(page: Page, email: string, password: string): Promise<void> {
  await page.getByLabel('Email', { exact: true }).fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

describe('verification in another tab', () => {
  it('the link opened in a second tab moves the first one on by itself, and reloads and new tabs are welcomed by name', async () => {
    const context = await newContext();
    const first = await context.newPage();
    const { email, username } = await signUp(first);

    // The link from the email, opened in another tab of the same browser.
    const second = await context.newPage();
    const { oobCode } = await verificationCode(email);
    await second.goto(`${origin()}/?mode=verifyEmail&oobCode=${oobCode}`);
    await second.getByText('Your email address is verified.').waitFor();

    // The first tab notices without a reload.
    await welcome(first, username).waitFor({ timeout: 15_000 });
    await first.reload();
    await welcome(first, username).waitFor();
    expect(await first.getByText('You do not have access').count()).toBe(0);

    const third = await context.newPage();
    await third.goto(`${origin()}/library`);
    await third.getByRole('heading', { name: 'Library' }).waitFor();
    await expect
      .poll(() => third.getByRole('status').first().textContent(), { timeout: 15_000 })
      .not.toMatch(/access/);
    await context.close();
  });

  it('verification done outside the app (another device): a reload refreshes the token before reading', async () => {
    const context = await newContext();
    const page = await context.newPage();
    const { email, username } = await signUp(page);
    // The account record says verified; this browser's ID token still says it is not.
    await verifyEmailInEmulator(await uidOf(email));
    await page.reload();
    await welcome(page, username).waitFor();
    await goTo(page, 'Library');
    await page.getByRole('heading', { name: 'Library' }).waitFor();
    await expect
      .poll(() => page.locator('.library').getByRole('status').first().textContent(), { timeout: 15_000 })
      .not.toContain('You do not have access');
    await context.close();
  });

  it('another tab signing out signs this one out too, without a reload', async () => {
    const member = await createVerifiedMember(admin.app);
    const context = await newContext();
    const first = await context.newPage();
    await first.goto(`${origin()}/signin`);
    await signIn(first, member.email, member.password);
    await welcome(first, member.username).waitFor();
    const second = await context.newPage();
    await second.goto(`${origin()}/messages`);
    await second.getByRole('heading', { name: 'Messages with the company' }).waitFor();
    await signOutOf(second);
    await first.getByRole('heading', { name: 'Sign in to Member Portal' }).waitFor({ timeout: 15_000 });
    await context.close();
  });
});

describe('claims changed elsewhere', () => {
  it('staff rights granted while the member is signed in show on the next focus and on reload, without signing out', async () => {
    const member = await createVerifiedMember(admin.app);
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    await page.goto(`${origin()}/signin`);
    await signIn(page, member.email, member.password);
    await welcome(page, member.username).waitFor();
    const staffLink = page.getByRole('link', { name: 'Staff console' });
    expect(await staffLink.count()).toBe(0);

    // What scripts/admin.ts grant-staff does: new claims, and the stamp the client compares with.
    const [{ getAuth }, { getFirestore }, { markClaimsChanged }] = await Promise.all([
      import('firebase-admin/auth'),
      import('firebase-admin/firestore'),
      import('../../functions/src/account/claims-changed.js'),
    ]);
    await getAuth(admin.app).setCustomUserClaims(member.uid, { staff: true });
    await markClaimsChanged(getFirestore(admin.app), member.uid);

    // Returning to the tab is enough; the token would otherwise keep the old claims for an hour.
    await page.evaluate(() => window.dispatchEvent(new Event('focus')));
    await staffLink.waitFor({ timeout: 15_000 });
    await page.reload();
    await staffLink.waitFor();
    await context.close();
  });
});

describe('addresses and history', () => {
  it('a signed-out deep link goes to sign-in and back to the page asked for', async () => {
    const member = await createVerifiedMember(admin.app);
    const context = await newContext();
    const page = await context.newPage();
    await page.goto(`${origin()}/library`);
    await page.getByRole('heading', { name: 'Sign in to Member Portal' }).waitFor();
    expect(new URL(page.url()).pathname + new URL(page.url()).search).toBe('/signin?next=%2Flibrary');
    await signIn(page, member.email, member.password);
    await page.getByRole('heading', { name: 'Library' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/library');
    await context.close();
  });

  it('a deep link to the staff inbox survives the second factor', async () => {
    const staff = await createStaff(admin.app);
    const context = await newContext();
    const page = await context.newPage();
    await page.goto(`${origin()}/staff/inbox`);
    await signIn(page, staff.email, staff.password);
    await page.getByRole('heading', { name: 'Enter your verification code' }).waitFor();
    await page.getByLabel('Verification code', { exact: true }).fill(await smsCodeFor(staff.phoneNumber));
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Staff inbox' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/staff/inbox');
    await context.close();
  });

  it('the SMS step offers a code again after a minute and can be cancelled back to sign-in', async () => {
    const staff = await createStaff(admin.app);
    const context = await newContext();
    const page = await context.newPage();
    await page.goto(`${origin()}/signin?next=%2Fstaff`);
    await signIn(page, staff.email, staff.password);
    await page.getByRole('heading', { name: 'Enter your verification code' }).waitFor();
    const resend = page.getByRole('button', { name: /^Resend code/ });
    await expect.poll(() => resend.textContent()).toMatch(/^Resend code \(\d+ s\)$/);
    expect(await resend.isDisabled()).toBe(true);
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.getByRole('heading', { name: 'Sign in to Member Portal' }).waitFor();
    expect(new URL(page.url()).search).toBe('?next=%2Fstaff');
    await context.close();
  });

  it('Back, Forward and reload stay on the app’s pages, with titles and focus on the heading', async () => {
    const member = await createVerifiedMember(admin.app);
    const context = await newContext();
    const page = await context.newPage();
    await page.goto(`${origin()}/signin`);
    await signIn(page, member.email, member.password);
    await welcome(page, member.username).waitFor();
    expect(await page.title()).toBe('Home · Member Portal');

    await goTo(page, 'Library');
    await page.getByRole('heading', { name: 'Library', level: 1 }).waitFor();
    expect(await page.title()).toBe('Library · Member Portal');
    // Focus moves to the new page's heading.
    await expect.poll(() => page.evaluate(() => document.activeElement?.textContent)).toBe('Library');

    await goTo(page, 'Messages');
    await page.getByRole('heading', { name: 'Messages with the company' }).waitFor();
    await goTo(page, 'Account');
    await page.getByRole('heading', { name: 'Your account' }).waitFor();

    await page.goBack();
    await page.getByRole('heading', { name: 'Messages with the company' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/messages');
    await page.goBack();
    await page.getByRole('heading', { name: 'Library', level: 1 }).waitFor();
    await page.goForward();
    await page.getByRole('heading', { name: 'Messages with the company' }).waitFor();
    await page.reload();
    await page.getByRole('heading', { name: 'Messages with the company' }).waitFor();
    expect(await page.title()).toBe('Messages · Member Portal');
    await context.close();
  });

  it('an unknown address shows "Page not found"; a member opening a staff page is refused clearly', async () => {
    const member = await createVerifiedMember(admin.app);
    const context = await newContext();
    const page = await context.newPage();
    await page.goto(`${origin()}/no/such/page`);
    await page.getByRole('heading', { name: 'Page not found' }).waitFor();
    expect(await page.title()).toBe('Page not found · Member Portal');

    await page.goto(`${origin()}/signin?next=%2Fstaff`);
    await signIn(page, member.email, member.password);
    await page.getByRole('heading', { name: 'Staff only' }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/staff');
    await context.close();
  });

  it('sign-in refuses to send the member to another site after signing in', async () => {
    const member = await createVerifiedMember(admin.app);
    const context = await newContext();
    const page = await context.newPage();
    await page.goto(`${origin()}/signin?next=${encodeURIComponent('//evil.example/phish')}`);
    await signIn(page, member.email, member.password);
    await welcome(page, member.username).waitFor();
    expect(new URL(page.url()).origin).toBe(origin());
    await context.close();
  });
});
