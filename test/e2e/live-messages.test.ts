import type { App } from 'firebase-admin/app';
import { FieldValue, getFirestore } from 'firebase-admin/firestore';
import { getStorage } from 'firebase-admin/storage';
import type { Browser, BrowserContext, Locator, Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/browser.js';
import { goTo, signOutOf } from '../support/nav.js';
import { smsCodeFor } from '../support/sms.js';
import {
  adminApp,
  createStaff,
  createVerifiedMember,
  type Person,
  type StaffPerson,
} from '../support/staff.js';
import { startWebApp } from '../support/web-server.js';

// Issue 19, the portal's part: messages, the staff inbox and the home unread mark follow the
// server live through the full SDK's onSnapshot (WebChannel to our Firestore emulator), with
// nothing polled; a message sent offline shows as pending and goes out on reconnect; two tabs of
// one member share the SDK's multi-tab IndexedDB cache and both follow.

let browser: Browser;
let web: { url: string; close: () => Promise<void> };
let admin: { app: App; close: () => Promise<void> };
let staff: StaffPerson;
let staffPage: Page;

beforeAll(async () => {
  admin = adminApp();
  [browser, web, staff] = await Promise.all([launchChromium(), startWebApp(), createStaff(admin.app)]);
  staffPage = await signInStaff(staff);
});
afterAll(async () => {
  await browser?.close();
  await web?.close();
  await admin?.close();
});

async function newContext(): Promise<BrowserContext> {
  return browser.newContext({ viewport: { width: 1280, height: 800 } });
}

async function signIn(page: Page, person: Person): Promise<void> {
  await page.goto(web.url);
  await page.getByLabel('Email', { exact: true }).fill(person.email);
  await page.getByLabel('Password', { exact: true }).fill(person.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

async function signInMember(person: Person, context?: BrowserContext): Promise<Page> {
  const page = await (context ?? (await newContext())).newPage();
  await signIn(page, person);
  await page.getByRole('heading', { name: `Welcome back, ${person.username}!` }).waitFor();
  return page;
}

async function signInStaff(person: StaffPerson): Promise<Page> {
  const page = await (await newContext()).newPage();
  await signIn(page, person);
  await page.getByLabel('Verification code', { exact: true }).fill(await smsCodeFor(person.phoneNumber));
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: `Welcome back, ${person.username}!` }).waitFor();
  return page;
}

/** A mark that a reload would wipe: the page must still carry it when the news has arrived. */
async function markDocument(page: Page): Promise<void> {
  await page.evaluate(() => {
    (window as unknown as { liveMark: boolean }).liveMark = true;
  });
}

async function stillSameDocument(page: Page): Promise<boolean> {
  return page.evaluate(() => (window as unknown as { liveMark?: boolean }).liveMark === true);
}

/** Requests of the REST API (Firestore Lite) that ask for messages or threads: polling would. */
function watchPolls(page: Page): Request[] {
  const polls: Request[] = [];
  page.on('request', (request) => {
    if (/\/v1\/projects\/[^/]+\/databases\/[^/]+\/documents.*(threads|:runQuery)/.test(request.url()))
      polls.push(request);
  });
  return polls;
}

function message(page: Page, text: string): Locator {
  return page.getByRole('list', { name: 'Messages' }).getByRole('listitem').filter({ hasText: text });
}

async function send(page: Page, text: string): Promise<void> {
  await page.getByLabel('Message', { exact: true }).fill(text);
  await page.getByRole('button', { name: 'Send' }).click();
}

/** A staff reply as the staff page writes it, through firebase-admin (the test's other side). */
async function staffReplies(threadUid: string, text: string): Promise<void> {
  const db = getFirestore(admin.app);
  const ref = db.collection(`threads/${threadUid}/messages`).doc();
  const batch = db.batch();
  batch.set(ref, {
    author: 'staff',
    uid: staff.uid,
    text,
    attachments: [],
    createdAt: FieldValue.serverTimestamp(),
  });
  batch.update(db.doc(`threads/${threadUid}`), {
    lastMessageAt: FieldValue.serverTimestamp(),
    lastAuthor: 'staff',
    lastMessageId: ref.id,
    staffReadAt: FieldValue.serverTimestamp(),
  });
  await batch.commit();
}

async function storedTexts(uid: string): Promise<string[]> {
  const stored = await getFirestore(admin.app)
    .collection(`threads/${uid}/messages`)
    .orderBy('createdAt')
    .get();
  return stored.docs.map((d) => String(d.get('text')));
}

/**
 * Targets of the page's Listen channel (WebChannel forward messages, form-encoded JSON): those
 * added and not removed since, and how many additions were seen.
 */
function listenTargets(page: Page): { active: Set<number>; added: number } {
  const targets = { active: new Set<number>(), added: 0 };
  page.on('request', (request) => {
    if (request.method() !== 'POST' || !request.url().includes('/Listen/channel')) return;
    const form = new URLSearchParams(request.postData() ?? '');
    for (const [key, value] of form) {
      if (!/^req\d+___data__$/.test(key)) continue;
      const message = JSON.parse(value) as { addTarget?: { targetId?: number }; removeTarget?: number };
      if (message.addTarget?.targetId !== undefined) {
        targets.active.add(message.addTarget.targetId);
        targets.added += 1;
      }
      if (message.removeTarget !== undefined) targets.active.delete(message.removeTarget);
    }
  });
  return targets;
}

describe('live messages (issue 19)', () => {
  it('member → staff and staff → member without a reload or a poll; the home unread mark appears live', async () => {
    const member = await createVerifiedMember(admin.app);
    const memberPage = await signInMember(member);
    const memberPolls = watchPolls(memberPage);
    const staffPolls = watchPolls(staffPage);

    // Staff has the inbox open before the member ever writes.
    await goTo(staffPage, 'Staff inbox');
    await staffPage.getByRole('heading', { name: 'Staff inbox' }).waitFor();
    await markDocument(staffPage);

    await goTo(memberPage, 'Messages');
    await memberPage.getByRole('heading', { name: 'Messages with the company' }).waitFor();
    await markDocument(memberPage);
    await send(memberPage, 'First words, live.');
    await message(memberPage, 'First words, live.').waitFor();

    // The new conversation appears in the open inbox, unread.
    const row = staffPage
      .getByRole('list', { name: 'Conversations' })
      .getByRole('link', { name: new RegExp(member.username) });
    await row.waitFor({ timeout: 10_000 });
    expect(await row.textContent()).toContain('Unread');
    await row.click();
    await staffPage.getByRole('heading', { name: `Conversation with ${member.username}` }).waitFor();
    await message(staffPage, 'First words, live.').waitFor();

    // Member → the staff's open conversation.
    await send(memberPage, 'Are you there?');
    await message(staffPage, 'Are you there?').waitFor({ timeout: 5_000 });
    await expect
      .poll(() => staffPage.locator('.conversation > [role=status]').textContent())
      .toBe(`New message from ${member.username}.`);

    // Staff → the member's open page, which marks it read at once.
    await send(staffPage, 'Yes, how can we help?');
    const reply = message(memberPage, 'Yes, how can we help?');
    await reply.waitFor({ timeout: 5_000 });
    expect(await reply.locator('.meta strong').textContent()).toBe('The company');
    await expect
      .poll(async () =>
        (await getFirestore(admin.app).doc(`threads/${member.uid}`).get()).get('memberReadAt'),
      )
      .toBeTruthy();

    // On the home page, the next reply raises the unread mark without a reload.
    await goTo(memberPage, 'Home');
    await memberPage.getByRole('heading', { name: `Welcome back, ${member.username}!` }).waitFor();
    const mark = memberPage.getByText('The company replied since you last looked.');
    await memberPage.waitForTimeout(500);
    expect(await mark.count()).toBe(0);
    await send(staffPage, 'One more thing.');
    await mark.waitFor({ timeout: 5_000 });
    expect(await memberPage.getByText('New reply', { exact: true }).count()).toBe(1);
    // Reading it in another way (here: another device) clears it live too.
    await getFirestore(admin.app)
      .doc(`threads/${member.uid}`)
      .update({ memberReadAt: FieldValue.serverTimestamp() });
    await mark.waitFor({ state: 'detached', timeout: 5_000 });

    expect(await stillSameDocument(memberPage)).toBe(true);
    expect(await stillSameDocument(staffPage)).toBe(true);
    expect(memberPolls.map((r) => r.url())).toEqual([]);
    expect(staffPolls.map((r) => r.url())).toEqual([]);
    await memberPage.context().close();
  });

  it('stops its listeners when the page changes (no Listen target left) and clears the cache on sign-out', async () => {
    const member = await createVerifiedMember(admin.app);
    const page = await signInMember(member);
    const targets = listenTargets(page);
    for (let round = 0; round < 3; round += 1) {
      await goTo(page, 'Messages');
      await page.getByRole('heading', { name: 'Messages with the company' }).waitFor();
      await page.getByText('No messages yet.').waitFor();
      await goTo(page, 'Library');
      await page.getByRole('heading', { name: 'Library' }).waitFor();
    }
    // The library listens to nothing: every target the messages and home pages added is removed.
    await expect.poll(() => [...targets.active], { timeout: 5_000 }).toEqual([]);
    expect(targets.added).toBeGreaterThanOrEqual(2);

    // Signing out leaves no conversation in IndexedDB for the next person at this computer.
    const firestoreDatabases = (): Promise<string[]> =>
      page.evaluate(async () =>
        (await indexedDB.databases()).flatMap((d) => (d.name?.startsWith('firestore/') ? [d.name] : [])),
      );
    expect((await firestoreDatabases()).length).toBeGreaterThan(0);
    await signOutOf(page);
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await expect.poll(firestoreDatabases, { timeout: 5_000 }).toEqual([]);
    await page.context().close();
  });

  it('two tabs of one member (persistentMultipleTabManager) both follow replies and each other', async () => {
    const member = await createVerifiedMember(admin.app);
    const first = await signInMember(member);
    await goTo(first, 'Messages');
    await first.getByRole('heading', { name: 'Messages with the company' }).waitFor();
    await send(first, 'Sent from the first tab.');
    await message(first, 'Sent from the first tab.').waitFor();
    await expect.poll(() => storedTexts(member.uid)).toEqual(['Sent from the first tab.']);

    // The second tab shares the session and the IndexedDB cache of the first.
    const second = await first.context().newPage();
    await second.goto(`${web.url.replace(/\/$/, '')}/messages`);
    await second.getByRole('heading', { name: 'Messages with the company' }).waitFor();
    await message(second, 'Sent from the first tab.').waitFor();

    await staffReplies(member.uid, 'A reply both tabs see.');
    await message(first, 'A reply both tabs see.').waitFor({ timeout: 5_000 });
    await message(second, 'A reply both tabs see.').waitFor({ timeout: 5_000 });

    await send(second, 'And this from the second tab.');
    await message(first, 'And this from the second tab.').waitFor({ timeout: 5_000 });
    await expect
      .poll(() => storedTexts(member.uid))
      .toEqual(['Sent from the first tab.', 'A reply both tabs see.', 'And this from the second tab.']);
    await first.context().close();
  });

  it('offline: the message shows as "Sending…" at once and is delivered on reconnect; a file waits for the network', async () => {
    const member = await createVerifiedMember(admin.app);
    const page = await signInMember(member);
    await goTo(page, 'Messages');
    await page.getByRole('heading', { name: 'Messages with the company' }).waitFor();
    await page.getByText('No messages yet.').waitFor();
    // Staff has the conversation open once it exists.
    await send(page, 'Hello before going offline.');
    await expect.poll(() => storedTexts(member.uid)).toEqual(['Hello before going offline.']);
    await staffPage.goto(`${web.url.replace(/\/$/, '')}/staff/inbox/${member.uid}`);
    await message(staffPage, 'Hello before going offline.').waitFor();

    await page.context().setOffline(true);
    await send(page, 'Written on the train.');
    const pending = message(page, 'Written on the train.');
    await pending.waitFor({ timeout: 2_000 });
    await expect.poll(() => pending.getAttribute('data-pending')).toBe('true');
    expect(await pending.getByText('Sending…', { exact: true }).isVisible()).toBe(true);
    const status = page.locator('form.composer > [role=status]');
    expect(await status.textContent()).toBe(
      'You are offline. Your message is kept and will be sent when you are back online.',
    );
    expect(await page.getByLabel('Message', { exact: true }).inputValue()).toBe('');

    // A file chosen offline cannot upload: it says so, and the words typed stay.
    await page.getByLabel('Message', { exact: true }).fill('Here is the ticket.');
    await page
      .getByLabel('Attach files')
      .setInputFiles([{ name: 'ticket.txt', mimeType: 'text/plain', buffer: Buffer.from('Seat 42\n') }]);
    const file = page
      .getByRole('list', { name: 'Attachments' })
      .getByRole('listitem')
      .filter({ hasText: 'ticket.txt' });
    await expect
      .poll(() => file.getByRole('status').textContent())
      .toBe('Upload failed: You are offline — check your connection and try again.');
    await page.getByRole('button', { name: 'Send' }).click();
    expect(await status.textContent()).toBe('An attachment did not upload. Try it again, or remove it.');
    expect(await storedTexts(member.uid)).toEqual(['Hello before going offline.']);

    // Back online: the queued message goes out and staff sees it; the file uploads on Try again.
    await page.context().setOffline(false);
    await expect.poll(() => pending.getAttribute('data-pending'), { timeout: 15_000 }).toBe('false');
    expect(await pending.locator('time').count()).toBe(1);
    await message(staffPage, 'Written on the train.').waitFor({ timeout: 5_000 });
    expect(await storedTexts(member.uid)).toEqual(['Hello before going offline.', 'Written on the train.']);
    await file.getByRole('button', { name: 'Try uploading ticket.txt again' }).click();
    const bucket = getStorage(admin.app).bucket();
    await expect
      .poll(async () => (await bucket.getFiles({ prefix: `uploads/${member.uid}/` }))[0].length, {
        timeout: 30_000,
      })
      .toBe(1);
    await expect.poll(() => file.getByRole('status').textContent(), { timeout: 60_000 }).toBe('Accepted');
    await page.getByRole('button', { name: 'Send' }).click();
    await message(staffPage, 'Here is the ticket.').waitFor({ timeout: 5_000 });
    await page.context().close();
  });

  it('offline: a queued message survives closing the tab and goes out from the next one (persistentLocalCache)', async () => {
    const member = await createVerifiedMember(admin.app);
    const page = await signInMember(member);
    await goTo(page, 'Messages');
    await page.getByText('No messages yet.').waitFor();
    await page.context().setOffline(true);
    await send(page, 'Typed, then the laptop lid closed.');
    await expect
      .poll(() => message(page, 'Typed, then the laptop lid closed.').getAttribute('data-pending'))
      .toBe('true');
    const context = page.context();
    await page.close();
    expect(await storedTexts(member.uid)).toEqual([]);

    await context.setOffline(false);
    const next = await context.newPage();
    await next.goto(`${web.url.replace(/\/$/, '')}/messages`);
    await expect
      .poll(() => storedTexts(member.uid), { timeout: 15_000 })
      .toEqual(['Typed, then the laptop lid closed.']);
    await expect
      .poll(() => message(next, 'Typed, then the laptop lid closed.').getAttribute('data-pending'))
      .toBe('false');
    await context.close();
  });
});
