import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type App, deleteApp } from 'firebase-admin/app';
import { getAuth } from 'firebase-admin/auth';
import { getFirestore, Timestamp } from 'firebase-admin/firestore';
import { getStorage } from 'firebase-admin/storage';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../../scripts/lib/project.js';
import { launchChromium } from '../support/browser.js';
import { goTo, navOffers } from '../support/nav.js';
import { uniqueEmail } from '../support/client.js';
import { adminApp, PASSWORD, randomCode, requireBackendEnv, storeCode } from '../support/premium.js';
import { smsCodeFor } from '../support/sms.js';
import { startWebApp } from '../support/web-server.js';

// Premium in Chromium at phone size: a member redeems a code and plays the premium video; a
// staff member (signed in with an SMS second factor) revokes premium in the staff console, and
// the member's library locks again once their token is refreshed.

let browser: Browser;
let web: { url: string; close: () => Promise<void> };
let admin: App;
const suffix = Math.random().toString(36).slice(2, 8);
const VIDEO_TITLE = `Tutorial ${suffix}`;
const FREE_TITLE = `Guide ${suffix}`;
const DECLARED_VIDEO_SIZE = 1000;
let videoBytes = 0;

beforeAll(async () => {
  requireBackendEnv();
  admin = adminApp('premium-e2e');
  [browser, web] = await Promise.all([launchChromium(), startWebApp()]);
  const bucket = getStorage(admin).bucket();
  const video = readFileSync(join(ROOT, 'scripts', 'sample-media', 'tutorial.webm'));
  videoBytes = video.length;
  const text = Buffer.from('A free guide.\n');
  await bucket.file(`content/premium/${suffix}.webm`).save(video, { contentType: 'video/webm' });
  await bucket.file(`content/free/${suffix}.txt`).save(text, { contentType: 'text/plain' });
  const db = getFirestore(admin);
  await db.doc(`content/video-${suffix}`).set({
    title: VIDEO_TITLE,
    description: 'The premium video tutorial.',
    tier: 'premium',
    kind: 'video',
    storagePath: `content/premium/${suffix}.webm`,
    // Deliberately understated: the progress bar must follow the bytes actually received
    // (XMLHttpRequest progress), not the catalogue's number.
    size: DECLARED_VIDEO_SIZE,
  });
  await db.doc(`content/guide-${suffix}`).set({
    title: FREE_TITLE,
    description: 'A free text guide.',
    tier: 'free',
    kind: 'text',
    storagePath: `content/free/${suffix}.txt`,
    size: text.length,
  });
});
afterAll(async () => {
  await browser?.close();
  await web?.close();
  if (admin) await deleteApp(admin);
});

interface Account {
  uid: string;
  email: string;
  username: string;
  phoneNumber?: string;
}

async function createAccount(prefix: string, options: { staff?: boolean } = {}): Promise<Account> {
  const email = uniqueEmail(prefix);
  const phoneNumber = options.staff
    ? `+1555${String(Math.floor(Math.random() * 1e7)).padStart(7, '0')}`
    : undefined;
  const record = await getAuth(admin).createUser({
    email,
    password: PASSWORD,
    emailVerified: true,
    ...(phoneNumber ? { multiFactor: { enrolledFactors: [{ phoneNumber, factorId: 'phone' }] } } : {}),
  });
  if (options.staff) await getAuth(admin).setCustomUserClaims(record.uid, { staff: true });
  const username = `${prefix}_${suffix}_${record.uid.slice(0, 4).toLowerCase()}`;
  const db = getFirestore(admin);
  await db.doc(`users/${record.uid}`).set({ username, createdAt: Timestamp.now() });
  await db.doc(`usernames/${username}`).set({ uid: record.uid });
  return { uid: record.uid, email, username, phoneNumber };
}

async function openApp(): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  await page.goto(web.url);
  return page;
}

async function signIn(page: Page, account: Account): Promise<void> {
  await page.getByLabel('Email', { exact: true }).fill(account.email);
  await page.getByLabel('Password', { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

function item(page: Page, title: string) {
  return page.getByRole('article', { name: title });
}

async function noSideScroll(page: Page): Promise<void> {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
}

describe('premium in the browser', () => {
  it('a member redeems a code and plays the premium video; staff revoke it and the library locks again', async () => {
    const member = await createAccount('pm');
    const staff = await createAccount('ps', { staff: true });
    const code = randomCode();
    await storeCode(admin, code, { premiumDays: 30 });

    // The member: free items open, premium ones are locked with a call to redeem.
    const page = await openApp();
    await signIn(page, member);
    await page.getByRole('heading', { name: `Welcome back, ${member.username}!` }).waitFor();
    expect(await navOffers(page, 'Staff console')).toBe(false);
    await goTo(page, 'Library');
    await page.getByText('Premium items are locked. Redeem an access code to unlock them.').waitFor();
    await item(page, `${VIDEO_TITLE} (locked)`)
      .getByRole('button', { name: 'Redeem a code to unlock' })
      .waitFor();

    const download = page.waitForEvent('download');
    await item(page, FREE_TITLE).getByRole('button', { name: 'Download' }).click();
    expect((await download).suggestedFilename()).toBe(`${suffix}.txt`);
    await item(page, FREE_TITLE).getByText(`Downloaded ${suffix}.txt.`).waitFor();

    // A wrong code is explained; the right one unlocks the video without a reload.
    await page.getByLabel('Access code', { exact: true }).fill('WRONG-CODE-2345');
    await page.getByRole('button', { name: 'Redeem', exact: true }).click();
    await page.getByText('That code does not exist. Check it and try again.').waitFor();
    await page.getByLabel('Access code', { exact: true }).fill(code.toLowerCase());
    await page.getByRole('button', { name: 'Redeem', exact: true }).click();
    await page.getByText(/^Code accepted\. You have premium access until \d{4}-\d{2}-\d{2}\.$/).waitFor();

    const video = item(page, VIDEO_TITLE);
    await video.getByRole('button', { name: 'Play video' }).click();
    await video.getByText('Ready to play.').waitFor();
    const bar = await video
      .locator('progress')
      .evaluate((p: HTMLProgressElement) => ({ value: p.value, max: p.max }));
    expect(bar).toEqual({ value: videoBytes, max: videoBytes });
    expect(videoBytes).toBeGreaterThan(DECLARED_VIDEO_SIZE);
    const played = await video.locator('video').evaluate(async (v: HTMLVideoElement) => {
      v.muted = true;
      await v.play();
      await new Promise((resolve) => setTimeout(resolve, 1200));
      return { src: v.src, time: v.currentTime, width: v.videoWidth, error: v.error?.code ?? null };
    });
    expect(played.src.startsWith('blob:')).toBe(true);
    expect(played.error).toBeNull();
    expect(played.width).toBe(320);
    expect(played.time).toBeGreaterThan(0.3);
    await noSideScroll(page);

    // Staff: password, then the SMS code, then the console.
    const staffPage = await openApp();
    await signIn(staffPage, staff);
    await staffPage.getByRole('heading', { name: 'Enter your verification code' }).waitFor();
    await staffPage
      .getByLabel('Verification code', { exact: true })
      .fill(await smsCodeFor(staff.phoneNumber!));
    await staffPage.getByRole('button', { name: 'Sign in' }).click();
    await staffPage.getByRole('heading', { name: `Welcome back, ${staff.username}!` }).waitFor();
    await goTo(staffPage, 'Staff console');
    await staffPage.getByLabel('Member (username or email)').fill(member.email);
    await staffPage.getByRole('button', { name: 'Revoke premium' }).click();
    await staffPage.getByText(`Premium revoked for ${member.email}.`).waitFor();
    await staffPage.getByRole('button', { name: 'Refresh audit log' }).click();
    // The log names people (uid on hover) and says what happened in words.
    const revokeEntry = staffPage
      .getByRole('list', { name: 'Audit log' })
      .getByRole('listitem')
      .filter({ hasText: `${staff.username} revoked premium from ${member.username}` });
    await revokeEntry.first().waitFor();
    expect(await revokeEntry.first().getByText(staff.username, { exact: true }).getAttribute('title')).toBe(
      `uid ${staff.uid}`,
    );
    await noSideScroll(staffPage);

    // The member: opening the library refreshes the token, and the video is locked again.
    await goTo(page, 'Library');
    await page.getByText('Premium items are locked. Redeem an access code to unlock them.').waitFor();
    await item(page, `${VIDEO_TITLE} (locked)`)
      .getByRole('button', { name: 'Redeem a code to unlock' })
      .waitFor();
    expect(await page.getByRole('button', { name: 'Play video' }).count()).toBe(0);

    await page.context().close();
    await staffPage.context().close();
  });

  it('staff create access codes in the console, shown once', async () => {
    const staff = await createAccount('pc', { staff: true });
    const page = await openApp();
    await signIn(page, staff);
    await page.getByLabel('Verification code', { exact: true }).fill(await smsCodeFor(staff.phoneNumber!));
    await page.getByRole('button', { name: 'Sign in' }).click();
    await goTo(page, 'Staff console');
    await page.getByLabel('How many codes').fill('2');
    await page.getByRole('button', { name: 'Create codes' }).click();
    await page.getByText(/^Created 2 codes, redeemable until \d{4}-\d{2}-\d{2}\.$/).waitFor();
    const codes = await page
      .getByRole('list', { name: 'New access codes' })
      .getByRole('listitem')
      .allTextContents();
    expect(codes).toHaveLength(2);
    for (const c of codes) expect(c).toMatch(/^[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}$/);
    await page.context().close();
  });
  it('explains that staff tools need a second-factor sign-in, and shows no tools without one', async () => {
    const staff = await createAccount('pn');
    await getAuth(admin).setCustomUserClaims(staff.uid, { staff: true });
    const page = await openApp();
    await signIn(page, staff);
    await page.getByRole('heading', { name: `Welcome back, ${staff.username}!` }).waitFor();
    await goTo(page, 'Staff console');
    await page
      .getByText('Staff tools need a sign-in with your second factor. Sign out and sign in again with it.')
      .waitFor();
    expect(await page.getByRole('button', { name: 'Revoke premium' }).count()).toBe(0);
    expect(await page.getByRole('button', { name: 'Create codes' }).count()).toBe(0);
    await page.context().close();
  });
});
