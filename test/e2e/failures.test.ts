import type { App } from 'firebase-admin/app';
import { getAuth } from 'firebase-admin/auth';
import { getFirestore } from 'firebase-admin/firestore';
import { getStorage } from 'firebase-admin/storage';
import type { Browser, BrowserContext, Locator, Page, Route } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { text, zip } from '../../functions/src/intake/test-support/corpus.js';
import { launchChromium } from '../support/browser.js';
import { uniqueEmail } from '../support/client.js';
import { goTo } from '../support/nav.js';
import { adminApp, createVerifiedMember, type Person } from '../support/staff.js';
import { startWebApp } from '../support/web-server.js';

// Failure states in Chromium at phone size (issue 16): downloads that fail, stall or are
// cancelled end in words with Try again; an upload that fails keeps the draft and can be tried
// again; deleting an account needs the username typed and really deletes it. Failures are made
// with Playwright's offline mode and request routing, on the real backend otherwise.

/** The app's stall limit for these tests (web/src/data/stall.ts reads it in development builds). */
const STALL_MS = 2000;

let browser: Browser;
let web: { url: string; close: () => Promise<void> };
let admin: { app: App; close: () => Promise<void> };
const suffix = Math.random().toString(36).slice(2, 8);
const PREMIUM_TITLE = `Handbook ${suffix}`;
const FREE_TITLE = `Leaflet ${suffix}`;
const PREMIUM_BYTES = Buffer.from(`The premium handbook ${suffix}.\n`.repeat(200));

beforeAll(async () => {
  admin = adminApp();
  [browser, web] = await Promise.all([launchChromium(), startWebApp()]);
  const bucket = getStorage(admin.app).bucket();
  const free = Buffer.from('A free leaflet.\n');
  await bucket.file(`content/premium/${suffix}.txt`).save(PREMIUM_BYTES, { contentType: 'text/plain' });
  await bucket.file(`content/free/${suffix}.txt`).save(free, { contentType: 'text/plain' });
  const db = getFirestore(admin.app);
  await db.doc(`content/handbook-${suffix}`).set({
    title: PREMIUM_TITLE,
    description: 'A premium handbook.',
    tier: 'premium',
    kind: 'text',
    storagePath: `content/premium/${suffix}.txt`,
    size: PREMIUM_BYTES.length,
  });
  await db.doc(`content/leaflet-${suffix}`).set({
    title: FREE_TITLE,
    description: 'A free leaflet.',
    tier: 'free',
    kind: 'text',
    storagePath: `content/free/${suffix}.txt`,
    size: free.length,
  });
});
afterAll(async () => {
  await browser?.close();
  await web?.close();
  await admin?.close();
});

/** A phone-sized page; `stallMs` is the app's stall limit (long: only an offline check can end a transfer fast). */
async function openApp(stallMs = STALL_MS): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, acceptDownloads: true });
  await context.addInitScript((ms) => sessionStorage.setItem('member-portal:stall-ms', String(ms)), stallMs);
  const page = await context.newPage();
  await page.goto(web.url);
  return { context, page };
}

async function signIn(page: Page, person: { email: string; password: string }): Promise<void> {
  await page.getByLabel('Email', { exact: true }).fill(person.email);
  await page.getByLabel('Password', { exact: true }).fill(person.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

async function premiumMember(): Promise<Person> {
  const member = await createVerifiedMember(admin.app);
  await getAuth(admin.app).setCustomUserClaims(member.uid, { premium: true });
  await getFirestore(admin.app)
    .doc(`entitlements/${member.uid}`)
    .set({ active: true, until: null, source: 'staff' });
  return member;
}

async function openLibrary(
  person: Person,
  stallMs = STALL_MS,
): Promise<{ context: BrowserContext; page: Page }> {
  const opened = await openApp(stallMs);
  await signIn(opened.page, person);
  await opened.page.getByRole('heading', { name: `Welcome back, ${person.username}!` }).waitFor();
  await goTo(opened.page, 'Library');
  await opened.page.getByText('You have premium access.').waitFor();
  return opened;
}

function item(page: Page, title: string): Locator {
  return page.getByRole('article', { name: title });
}

async function expectText(locator: Locator, expected: string | RegExp, timeout = 20_000): Promise<void> {
  await expect.poll(async () => (await locator.textContent())?.trim(), { timeout }).toMatch(expected);
}

/** Clicks and waits for the saved file, returning its name. */
async function downloadBy(page: Page, button: Locator): Promise<string> {
  const [download] = await Promise.all([page.waitForEvent('download'), button.click()]);
  return download.suggestedFilename();
}

const OFFLINE = 'You are offline — check your connection and try again.';
/** Requests of the downloadFile function (through the dev server's proxy). */
const DOWNLOADS = /\/api\/download\?/;
/** The Storage SDK's uploads of attachments (multipart for small files). */
const UPLOADS = /\/v0\/b\/[^/]+\/o\?.*name=uploads/;
/** The Storage SDK's read of the free library file. */
const FREE_FILE = new RegExp(`/o/content%2Ffree%2F${suffix}\\.txt\\?`);

describe('downloads that fail (issue 16)', () => {
  it('offline: the download ends at once in words with Try again, which works once back online', async () => {
    // A long stall limit: being offline must be reported without waiting for it.
    const { context, page } = await openLibrary(await premiumMember(), 60_000);
    const handbook = item(page, PREMIUM_TITLE);
    const leaflet = item(page, FREE_TITLE);
    await context.setOffline(true);
    await handbook.getByRole('button', { name: 'Download', exact: true }).click();
    await leaflet.getByRole('button', { name: 'Download', exact: true }).click();
    await expectText(handbook.getByRole('status'), OFFLINE, 5000);
    // The free file goes through the Storage SDK, which would otherwise retry in silence.
    await expectText(leaflet.getByRole('status'), OFFLINE, 5000);
    const retry = handbook.getByRole('button', { name: `Try downloading ${PREMIUM_TITLE} again` });
    expect(await retry.textContent()).toBe('Try again');
    expect(await handbook.getByRole('button', { name: 'Download', exact: true }).isEnabled()).toBe(true);

    await context.setOffline(false);
    expect(await downloadBy(page, retry)).toBe(`${suffix}.txt`);
    await expectText(handbook.getByRole('status'), `Downloaded ${suffix}.txt.`);
    expect(await retry.isVisible()).toBe(false);
    await context.close();
  });

  it('a server error (503 from downloadFile) is named, and Try again succeeds', async () => {
    const { context, page } = await openLibrary(await premiumMember());
    const handbook = item(page, PREMIUM_TITLE);
    let refused = 0;
    await page.route(DOWNLOADS, async (route) => {
      refused += 1;
      await route.fulfill({ status: 503, contentType: 'text/html', body: '<h1>upstream overloaded</h1>' });
    });
    await handbook.getByRole('button', { name: 'Download', exact: true }).click();
    await expectText(
      handbook.getByRole('status'),
      'The server could not send the file (error 503). Try again in a moment.',
    );
    expect(refused).toBe(1);

    await page.unroute(DOWNLOADS);
    const retry = handbook.getByRole('button', { name: `Try downloading ${PREMIUM_TITLE} again` });
    expect(await downloadBy(page, retry)).toBe(`${suffix}.txt`);
    await context.close();
  });

  it('a download that stalls stops with a reason instead of "Downloading…" forever', async () => {
    const { context, page } = await openLibrary(await premiumMember());
    const handbook = item(page, PREMIUM_TITLE);
    const held: Route[] = [];
    // The request reaches the "server" and is never answered.
    await page.route(DOWNLOADS, (route) => void held.push(route));
    await handbook.getByRole('button', { name: 'Download', exact: true }).click();
    await expectText(handbook.getByRole('status'), `Downloading ${PREMIUM_TITLE}…`, 5000);
    await expectText(
      handbook.getByRole('status'),
      `The download stopped: nothing arrived for ${STALL_MS / 1000} seconds. Try again.`,
    );
    expect(held.length).toBe(1);

    await page.unroute(DOWNLOADS);
    const retry = handbook.getByRole('button', { name: `Try downloading ${PREMIUM_TITLE} again` });
    expect(await downloadBy(page, retry)).toBe(`${suffix}.txt`);
    await context.close();
  });

  it('Cancel stops a running download, through downloadFile and through the Storage SDK alike', async () => {
    // A long stall limit, so only Cancel can end these unanswered requests here.
    const { context, page } = await openLibrary(await premiumMember(), 60_000);
    await page.route(DOWNLOADS, () => undefined);
    await page.route(FREE_FILE, () => undefined);

    for (const title of [PREMIUM_TITLE, FREE_TITLE]) {
      const entry = item(page, title);
      const start = entry.getByRole('button', { name: 'Download', exact: true });
      await start.click();
      await expectText(entry.getByRole('status'), `Downloading ${title}…`, 5000);
      expect(await start.isDisabled()).toBe(true);
      await entry.getByRole('button', { name: `Cancel downloading ${title}` }).click();
      await expectText(entry.getByRole('status'), 'Download cancelled.', 2000);
      expect(await start.isEnabled()).toBe(true);
      expect(await entry.getByRole('button', { name: `Try downloading ${title} again` }).isVisible()).toBe(
        false,
      );
    }

    // Started again after the cancel, the free item comes through the SDK as usual.
    await page.unroute(FREE_FILE);
    expect(
      await downloadBy(page, item(page, FREE_TITLE).getByRole('button', { name: 'Download', exact: true })),
    ).toBe(`${suffix}.txt`);
    await context.close();
  });
});

describe('uploads that fail (issue 16)', () => {
  it('an upload started offline says so at once, keeps the draft, and Try again finishes it', async () => {
    const member = await createVerifiedMember(admin.app);
    // A long stall limit: the SDK retries offline uploads in silence, so only the offline check ends it fast.
    const { context, page } = await openApp(60_000);
    await signIn(page, member);
    await page.getByRole('heading', { name: `Welcome back, ${member.username}!` }).waitFor();
    await goTo(page, 'Messages');
    await page.getByRole('heading', { name: 'Messages with the company' }).waitFor();

    const draft = `Here is my note ${suffix}.`;
    await page.getByLabel('Message', { exact: true }).fill(draft);
    await context.setOffline(true);
    await page
      .getByLabel('Attach files')
      .setInputFiles([{ name: 'note.txt', mimeType: 'text/plain', buffer: Buffer.from(text()) }]);
    const row = page
      .getByRole('list', { name: 'Attachments' })
      .getByRole('listitem')
      .filter({ hasText: 'note.txt' });
    await expectText(row.getByRole('status'), `Upload failed: ${OFFLINE}`, 5000);
    const retry = row.getByRole('button', { name: 'Try uploading note.txt again' });
    expect(await retry.isVisible()).toBe(true);
    expect(await page.getByLabel('Message', { exact: true }).inputValue()).toBe(draft);

    // Sending now would silently drop the file: refused with the reason, the draft stays.
    await page.getByRole('button', { name: 'Send' }).click();
    await expectText(
      page.locator('form.composer > [role=status]'),
      'An attachment did not upload. Try it again, or remove it.',
    );
    expect(await page.getByLabel('Message', { exact: true }).inputValue()).toBe(draft);

    await context.setOffline(false);
    await retry.click();
    await expectText(row.getByRole('status'), 'Accepted', 30_000);
    await page.getByRole('button', { name: 'Send' }).click();
    const sent = page
      .getByRole('list', { name: 'Messages' })
      .getByRole('listitem')
      .filter({ hasText: draft });
    await sent.waitFor();
    expect(await sent.getByRole('list', { name: 'Attached files' }).getByRole('listitem').count()).toBe(1);
    await context.close();
  });

  it('an upload cut off midway by going offline pauses, and Try again carries the same upload on', async () => {
    const member = await createVerifiedMember(admin.app);
    const { context, page } = await openApp(60_000);
    await signIn(page, member);
    await page.getByRole('heading', { name: `Welcome back, ${member.username}!` }).waitFor();
    await goTo(page, 'Messages');
    await page.getByRole('heading', { name: 'Messages with the company' }).waitFor();
    await page.getByLabel('Message', { exact: true }).fill('A big archive');

    // Slow enough to go offline midway; over 256 KiB, so the SDK uploads it resumably.
    const cdp = await context.newCDPSession(page);
    const throttle = (uploadThroughput: number) =>
      cdp.send('Network.emulateNetworkConditions', {
        offline: false,
        latency: 0,
        downloadThroughput: -1,
        uploadThroughput,
      });
    await throttle(128 * 1024);
    // Each start of an upload session names the object; continuing one goes to its upload URL.
    const starts: string[] = [];
    page.on('request', (request) => {
      const url = request.url();
      if (request.method() === 'POST' && UPLOADS.test(url) && !url.includes('upload_id=')) starts.push(url);
    });
    const archive = zip([
      { name: 'noise.bin', data: new Uint8Array(1024 * 1024).map((_, i) => (i * 7919) % 251), method: 0 },
    ]);
    await page
      .getByLabel('Attach files')
      .setInputFiles([{ name: 'big.zip', mimeType: 'application/zip', buffer: archive }]);
    const row = page
      .getByRole('list', { name: 'Attachments' })
      .getByRole('listitem')
      .filter({ hasText: 'big.zip' });
    await expectText(row.getByRole('status'), /^Uploading… \d+%$/, 10_000);
    await context.setOffline(true);
    await expectText(row.getByRole('status'), `Upload failed: ${OFFLINE}`, 5000);

    await context.setOffline(false);
    await throttle(-1);
    await row.getByRole('button', { name: 'Try uploading big.zip again' }).click();
    await expectText(row.getByRole('status'), 'Accepted', 30_000);
    // The same upload carried on (the SDK may open a new session for it), not a second one
    // under a new id: every start names the same object, and one object is stored.
    expect(starts.length).toBeGreaterThan(0);
    expect(new Set(starts).size).toBe(1);
    const [files] = await getStorage(admin.app)
      .bucket()
      .getFiles({ prefix: `uploads/${member.uid}/` });
    expect(files.map((f) => f.name.split('/').at(-1))).toEqual(['big.zip']);
    expect(await page.getByLabel('Message', { exact: true }).inputValue()).toBe('A big archive');
    await context.close();
  });

  it('an upload that stalls is stopped with a reason, and Try again finishes it', async () => {
    const member = await createVerifiedMember(admin.app);
    const { context, page } = await openApp();
    await signIn(page, member);
    await page.getByRole('heading', { name: `Welcome back, ${member.username}!` }).waitFor();
    await goTo(page, 'Messages');
    await page.getByRole('heading', { name: 'Messages with the company' }).waitFor();

    await page.getByLabel('Message', { exact: true }).fill('Stalled upload');
    // The Storage emulator "never answers" the upload.
    await page.route(UPLOADS, () => undefined);
    await page
      .getByLabel('Attach files')
      .setInputFiles([{ name: 'slow.txt', mimeType: 'text/plain', buffer: Buffer.from(text()) }]);
    const row = page
      .getByRole('list', { name: 'Attachments' })
      .getByRole('listitem')
      .filter({ hasText: 'slow.txt' });
    await expectText(
      row.getByRole('status'),
      `Upload failed: The upload stopped: nothing was sent for ${STALL_MS / 1000} seconds. Try again.`,
    );
    await page.unroute(UPLOADS);
    await row.getByRole('button', { name: 'Try uploading slow.txt again' }).click();
    await expectText(row.getByRole('status'), 'Accepted', 30_000);
    expect(await page.getByLabel('Message', { exact: true }).inputValue()).toBe('Stalled upload');
    await context.close();
  });
});

describe('deleting an account (issue 16)', () => {
  it('asks for the username, shows the steps, and the account is really gone', async () => {
    const member = await createVerifiedMember(admin.app);
    const { context, page } = await openApp();
    await signIn(page, member);
    await page.getByRole('heading', { name: `Welcome back, ${member.username}!` }).waitFor();
    await goTo(page, 'Account');
    await page.getByRole('link', { name: 'Delete your account…' }).click();
    await page.getByRole('heading', { name: 'Delete your account', level: 1 }).waitFor();
    expect(new URL(page.url()).pathname).toBe('/account/delete');

    // Not confirmed: nothing happens but the reason, tied to the field.
    await page.getByLabel('Current password', { exact: true }).fill(member.password);
    await page.getByLabel('Type your username to confirm').fill('someone else');
    await page.getByRole('button', { name: 'Delete my account' }).click();
    const confirmField = page.getByLabel('Type your username to confirm');
    await expect.poll(() => confirmField.getAttribute('aria-invalid')).toBe('true');
    // The field is described by what to type and by the error.
    const described = await confirmField.evaluate((input) =>
      (input.getAttribute('aria-describedby') ?? '')
        .split(' ')
        .map((id) => document.getElementById(id)?.textContent ?? ''),
    );
    expect(described).toEqual([
      `Your username: ${member.username}`,
      'Type your username exactly as shown to confirm.',
    ]);
    await expectText(
      page.locator('.deletion form > [role=status]'),
      'Type your username exactly as shown to confirm.',
    );
    expect((await getAuth(admin.app).getUser(member.uid)).uid).toBe(member.uid);

    // Confirmed: the steps show (the call held a moment to see them), then sign-in with the notice.
    await page.route('**/deleteMyAccount', async (route) => {
      await new Promise((resolve) => setTimeout(resolve, 1500));
      await route.continue();
    });
    await confirmField.fill(member.username.toUpperCase());
    await page.getByRole('button', { name: 'Delete my account' }).click();
    await page.getByText('Step 2 of 3: deleting your messages, files and profile…').waitFor();
    expect(await page.getByRole('progressbar', { name: 'Deleting your account' }).isVisible()).toBe(true);
    await page.getByText('Your account and all its data have been deleted.').waitFor({ timeout: 30_000 });
    expect(new URL(page.url()).pathname).toBe('/signin');
    await expect(getAuth(admin.app).getUser(member.uid)).rejects.toMatchObject({
      code: 'auth/user-not-found',
    });

    await signIn(page, member);
    await page.getByText('Email or password is incorrect.').waitFor();
    await context.close();
  });

  it('an unverified member reaches it from /verify by a link and confirms with the email address', async () => {
    const email = uniqueEmail('unverified');
    const password = 'a long enough password';
    const record = await getAuth(admin.app).createUser({ email, password, emailVerified: false });
    const { context, page } = await openApp();
    await signIn(page, { email, password });
    await page.getByRole('heading', { name: 'Verify your email' }).waitFor();
    // A link, not a form on the verification page.
    expect(await page.getByRole('button', { name: 'Delete my account' }).count()).toBe(0);
    await page.getByRole('link', { name: 'Delete your account' }).click();
    await page.getByRole('heading', { name: 'Delete your account', level: 1 }).waitFor();

    await page.getByLabel('Type your email address to confirm').fill(email);
    await page.getByLabel('Current password', { exact: true }).fill(password);
    await page.getByRole('button', { name: 'Delete my account' }).click();
    await page.getByText('Your account and all its data have been deleted.').waitFor({ timeout: 30_000 });
    await expect(getAuth(admin.app).getUser(record.uid)).rejects.toMatchObject({
      code: 'auth/user-not-found',
    });
    await context.close();
  });

  it('a deletion that cannot reach the server says so and can be tried again', async () => {
    const member = await createVerifiedMember(admin.app);
    const { context, page } = await openApp();
    await signIn(page, member);
    await page.getByRole('heading', { name: `Welcome back, ${member.username}!` }).waitFor();
    await page.goto(`${web.url.replace(/\/$/, '')}/account/delete`);
    await page.getByRole('heading', { name: 'Delete your account', level: 1 }).waitFor();
    await page.route('**/deleteMyAccount', (route) => route.abort('connectionfailed'));

    await page.getByLabel('Type your username to confirm').fill(member.username);
    await page.getByLabel('Current password', { exact: true }).fill(member.password);
    await page.getByRole('button', { name: 'Delete my account' }).click();
    await expectText(
      page.locator('.deletion form > [role=status]'),
      'The server did not finish deleting your account. Try again.',
    );
    expect((await getAuth(admin.app).getUser(member.uid)).uid).toBe(member.uid);

    await page.unroute('**/deleteMyAccount');
    await page.getByRole('button', { name: 'Delete my account' }).click();
    await page.getByText('Your account and all its data have been deleted.').waitFor({ timeout: 30_000 });
    await expect(getAuth(admin.app).getUser(member.uid)).rejects.toMatchObject({
      code: 'auth/user-not-found',
    });
    await context.close();
  });
});
