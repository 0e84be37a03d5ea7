import { readFile } from 'node:fs/promises';
import type { App } from 'firebase-admin/app';
import { FieldValue, getFirestore } from 'firebase-admin/firestore';
import { getStorage } from 'firebase-admin/storage';
import type { Browser, Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { png, text, windowsProgram, zip } from '../../functions/src/intake/test-support/corpus.js';
import { launchChromium } from '../support/browser.js';
import { goTo, navOffers } from '../support/nav.js';
import {
  adminApp,
  createStaff,
  createVerifiedMember,
  type Person,
  type StaffPerson,
} from '../support/staff.js';
import { smsCodeFor } from '../support/sms.js';
import { startWebApp } from '../support/web-server.js';

// Messages with the company in Chromium at phone size: a member writes with attachments that go
// through the real intake trigger (Storage emulator → Functions emulator → Firestore), staff signed
// in with a second factor answers from the inbox, and the reply reaches the open page unreloaded.

let browser: Browser;
let web: { url: string; close: () => Promise<void> };
let admin: { app: App; close: () => Promise<void> };

beforeAll(async () => {
  admin = adminApp();
  [browser, web] = await Promise.all([launchChromium(), startWebApp()]);
});
afterAll(async () => {
  await browser?.close();
  await web?.close();
  await admin?.close();
});

async function openApp(): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, acceptDownloads: true });
  const page = await context.newPage();
  await page.goto(web.url);
  return page;
}

async function signIn(page: Page, person: Person): Promise<void> {
  await page.getByLabel('Email', { exact: true }).fill(person.email);
  await page.getByLabel('Password', { exact: true }).fill(person.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

async function signInMember(person: Person): Promise<Page> {
  const page = await openApp();
  await signIn(page, person);
  await page.getByRole('heading', { name: `Welcome back, ${person.username}!` }).waitFor();
  return page;
}

/** Password, then the SMS code from the Auth emulator, as staff really sign in. */
async function signInStaff(staff: StaffPerson): Promise<Page> {
  const page = await openApp();
  await signIn(page, staff);
  await page.getByRole('heading', { name: 'Enter your verification code' }).waitFor();
  await page.getByLabel('Verification code', { exact: true }).fill(await smsCodeFor(staff.phoneNumber));
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: `Welcome back, ${staff.username}!` }).waitFor();
  return page;
}

function attachmentRow(scope: Page | Locator, name: string): Locator {
  return scope.getByRole('listitem').filter({ hasText: name });
}

async function expectText(locator: Locator, expected: string, timeout = 30_000): Promise<void> {
  await expect.poll(async () => (await locator.textContent())?.trim(), { timeout }).toBe(expected);
}

async function noSidewaysScroll(page: Page): Promise<void> {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
}

describe('messages with the company', () => {
  it('member sends files through intake, staff answers, the reply appears without a reload', async () => {
    const member = await createVerifiedMember(admin.app);
    const staff = await createStaff(admin.app);
    const photo = png(64, 48);
    const archive = zip([{ name: 'notes.txt', data: text() }]);

    // The member writes, attaching an image, a zip and a program dressed up as an image.
    const memberPage = await signInMember(member);
    // Verdicts come through a listener on uploads/{id} (issue 19), not by reading it over REST.
    const verdictReads: string[] = [];
    memberPage.on('request', (request) => {
      // Firestore Lite reads a document with POST …/documents:batchGet naming it in the body.
      const rest = /\/v1\/projects\/[^/]+\/databases\//.test(request.url());
      if (rest && `${request.url()} ${request.postData() ?? ''}`.includes('/documents/uploads/'))
        verdictReads.push(request.url());
    });
    expect(await navOffers(memberPage, 'Staff inbox')).toBe(false);
    await goTo(memberPage, 'Messages');
    await memberPage.getByRole('heading', { name: 'Messages with the company' }).waitFor();
    await memberPage.getByLabel('Message', { exact: true }).fill('Hello, here are my files.');
    await memberPage.getByLabel('Attach files').setInputFiles([
      { name: 'photo.png', mimeType: 'image/png', buffer: photo },
      { name: 'notes.zip', mimeType: 'application/zip', buffer: archive },
      { name: 'cat.png', mimeType: 'image/png', buffer: windowsProgram() },
    ]);
    const pending = memberPage.getByRole('list', { name: 'Attachments' });
    await expectText(attachmentRow(pending, 'photo.png').getByRole('status'), 'Accepted');
    await expectText(attachmentRow(pending, 'notes.zip').getByRole('status'), 'Accepted');
    await expectText(
      attachmentRow(pending, 'cat.png').getByRole('status'),
      'Rejected: The file says it is a PNG image but its contents are a Windows program.',
    );
    await noSidewaysScroll(memberPage);

    await memberPage.getByRole('button', { name: 'Send' }).click();
    const memberMessages = memberPage.getByRole('list', { name: 'Messages' });
    const sent = memberMessages.getByRole('listitem').filter({ hasText: 'Hello, here are my files.' });
    await sent.waitFor();
    await expectText(memberPage.locator('form.composer > [role=status]'), 'Message sent.');
    // The rejected file was left out of the message; the accepted ones show their verdict.
    const sentFiles = sent.getByRole('list', { name: 'Attached files' });
    expect(await sentFiles.getByRole('listitem').count()).toBe(2);
    await expectText(attachmentRow(sentFiles, 'photo.png').getByRole('status'), 'Accepted');
    await expectText(attachmentRow(sentFiles, 'notes.zip').getByRole('status'), 'Accepted');
    expect(await pending.getByRole('listitem').count()).toBe(0);
    expect(verdictReads).toEqual([]);

    // What the rules let through is what the page showed.
    const stored = await getFirestore(admin.app).collection(`threads/${member.uid}/messages`).get();
    expect(stored.docs.map((d) => d.get('text'))).toEqual(['Hello, here are my files.']);
    expect(stored.docs[0]!.get('attachments').map((a: { name: string }) => a.name)).toEqual([
      'photo.png',
      'notes.zip',
    ]);

    // Staff finds the conversation, unread, at the top of the inbox.
    const staffPage = await signInStaff(staff);
    await goTo(staffPage, 'Staff inbox');
    await staffPage.getByRole('heading', { name: 'Staff inbox' }).waitFor();
    const conversations = staffPage.getByRole('list', { name: 'Conversations' });
    const row = conversations.getByRole('link', { name: new RegExp(member.username) });
    await row.waitFor();
    expect(await row.textContent()).toContain('Unread');
    expect(await conversations.getByRole('link').first().textContent()).toContain(member.username);
    await row.click();
    await staffPage.getByRole('heading', { name: `Conversation with ${member.username}` }).waitFor();
    const staffMessages = staffPage.getByRole('list', { name: 'Messages' });
    const received = staffMessages.getByRole('listitem').filter({ hasText: 'Hello, here are my files.' });
    await received.waitFor();
    expect(await received.locator('.meta strong').textContent()).toBe(member.username);

    // Staff downloads the accepted image through the downloadFile function with the staff token.
    const photoRow = attachmentRow(received.getByRole('list', { name: 'Attached files' }), 'photo.png');
    await expectText(photoRow.getByRole('status'), 'Accepted');
    const [download] = await Promise.all([
      staffPage.waitForEvent('download'),
      photoRow.getByRole('button', { name: 'Download photo.png' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('photo.png');
    expect(Buffer.compare(await readFile(await download.path()), photo)).toBe(0);

    // Staff replies with a file; the member's open page shows it live (onSnapshot).
    const answer = Buffer.from('Your order number is 4711.\n');
    await staffPage.getByLabel('Message', { exact: true }).fill('Thanks, we have your files.');
    await staffPage
      .getByLabel('Attach files')
      .setInputFiles([{ name: 'answer.txt', mimeType: 'text/plain', buffer: answer }]);
    await expectText(
      attachmentRow(staffPage.getByRole('list', { name: 'Attachments' }), 'answer.txt').getByRole('status'),
      'Accepted',
    );
    await staffPage.getByRole('button', { name: 'Send' }).click();
    await staffMessages.getByRole('listitem').filter({ hasText: 'Thanks, we have your files.' }).waitFor();

    const reply = memberMessages.getByRole('listitem').filter({ hasText: 'Thanks, we have your files.' });
    await reply.waitFor({ timeout: 20_000 });
    expect(await reply.locator('.meta strong').textContent()).toBe('The company');
    await expectText(memberPage.locator('.conversation > [role=status]'), 'New message from The company.');
    // The staff's file sits in the member's conversation folder, so the member can fetch it.
    const answerRow = attachmentRow(reply.getByRole('list', { name: 'Attached files' }), 'answer.txt');
    await expectText(answerRow.getByRole('status'), 'Accepted');
    const [memberDownload] = await Promise.all([
      memberPage.waitForEvent('download'),
      answerRow.getByRole('button', { name: 'Download answer.txt' }).click(),
    ]);
    expect(await readFile(await memberDownload.path(), 'utf8')).toBe('Your order number is 4711.\n');
    await noSidewaysScroll(memberPage);

    // Back in the inbox, the answered conversation is no longer unread.
    await staffPage.getByRole('link', { name: 'All conversations' }).click();
    const answered = staffPage
      .getByRole('list', { name: 'Conversations' })
      .getByRole('link', { name: new RegExp(member.username) });
    await answered.waitFor();
    expect(await answered.textContent()).not.toContain('Unread');
    expect(await answered.textContent()).toContain('Staff replied');

    await memberPage.context().close();
    await staffPage.context().close();
  });

  it('cancels an upload in progress and refuses files the portal does not take', async () => {
    const member = await createVerifiedMember(admin.app);
    const page = await signInMember(member);
    await goTo(page, 'Messages');
    await page.getByRole('heading', { name: 'Messages with the company' }).waitFor();

    // A slow connection keeps the upload running long enough to cancel it.
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 50,
      downloadThroughput: 1024 * 1024,
      uploadThroughput: 64 * 1024,
    });
    await page.getByLabel('Attach files').setInputFiles([
      {
        name: 'big.zip',
        mimeType: 'application/zip',
        buffer: zip([
          {
            name: 'noise.bin',
            data: new Uint8Array(4 * 1024 * 1024).map((_, i) => (i * 7919) % 251),
            method: 0,
          },
        ]),
      },
    ]);
    const pending = page.getByRole('list', { name: 'Attachments' });
    const row = attachmentRow(pending, 'big.zip');
    await expect
      .poll(() => row.getByRole('status').textContent(), { timeout: 15_000 })
      .toMatch(/^Uploading… \d+%$/);
    expect(await row.getByRole('progressbar', { name: 'Upload progress of big.zip' }).count()).toBe(1);
    await row.getByRole('button', { name: 'Cancel big.zip' }).click();
    await expectText(row.getByRole('status'), 'Upload cancelled.');
    await cdp.send('Network.emulateNetworkConditions', {
      offline: false,
      latency: 0,
      downloadThroughput: -1,
      uploadThroughput: -1,
    });

    // Nothing reached Storage under that name.
    const { getStorage } = await import('firebase-admin/storage');
    const [files] = await getStorage(admin.app)
      .bucket()
      .getFiles({ prefix: `uploads/${member.uid}/` });
    expect(files.map((f) => f.name)).toEqual([]);

    // Refused before upload, with the reason.
    await page
      .getByLabel('Attach files')
      .setInputFiles([{ name: 'page.html', mimeType: 'text/html', buffer: Buffer.from('<p>hi</p>') }]);
    await expectText(
      page.locator('form.composer > [role=status]'),
      '"page.html" is not a type of file we accept. Send a PNG, JPEG, WebP or GIF image, a PDF, a plain-text file or a ZIP archive.',
    );

    // A cancelled file is not sent; with no text either, there is nothing to send.
    await page.getByRole('button', { name: 'Send' }).click();
    await expectText(
      page.locator('form.composer > [role=status]'),
      'Write a message or attach a file first.',
    );
    await page.context().close();
  });

  it('tells a member who sent 10 messages this minute how long to wait; the server kept count', async () => {
    const member = await createVerifiedMember(admin.app);
    const page = await signInMember(member);
    await goTo(page, 'Messages');
    const status = page.locator('form.composer > [role=status]');
    for (let i = 1; i <= 10; i += 1) {
      await page.getByLabel('Message', { exact: true }).fill(`Message ${i}`);
      await page.getByRole('button', { name: 'Send' }).click();
      await page.getByRole('list', { name: 'Messages' }).getByText(`Message ${i}`, { exact: true }).waitFor();
    }
    await page.getByLabel('Message', { exact: true }).fill('Message 11');
    await page.getByRole('button', { name: 'Send' }).click();
    await expect
      .poll(() => status.textContent(), { timeout: 15_000 })
      .toMatch(
        /^Your message was not sent\. You can send up to 10 messages a minute\. Try again in \d+ seconds?\.$/,
      );
    // The eleventh was refused by the server: its text is back in the box, and only ten messages exist.
    expect(await page.getByLabel('Message', { exact: true }).inputValue()).toBe('Message 11');
    const stored = await getFirestore(admin.app).collection(`threads/${member.uid}/messages`).get();
    expect(stored.size).toBe(10);
    await page.context().close();
  });

  it('staff see and save an attachment under the name the intake made, not the one the member wrote (issue 15 item 4)', async () => {
    const [member, staff] = await Promise.all([createVerifiedMember(admin.app), createStaff(admin.app)]);
    // What a member can do without the app: upload a text file named report.bat, then send a
    // message that calls it "report.pdf" (the rules allow any name without control characters).
    const uploadId = `crafted${Date.now()}abcdef`;
    const path = `uploads/${member.uid}/${uploadId}/report.bat`;
    await getStorage(admin.app)
      .bucket()
      .file(path)
      .save(Buffer.from('Invoice 2026: total 42 EUR\n'), { contentType: 'text/plain', resumable: false });
    const db = getFirestore(admin.app);
    const batch = db.batch();
    batch.set(db.doc(`threads/${member.uid}/messages/crafted`), {
      author: 'member',
      uid: member.uid,
      text: 'Here is the invoice.',
      attachments: [{ id: uploadId, name: 'report.pdf' }],
      createdAt: FieldValue.serverTimestamp(),
    });
    batch.set(db.doc(`threads/${member.uid}`), {
      lastMessageAt: FieldValue.serverTimestamp(),
      lastAuthor: 'member',
      lastMessageId: 'crafted',
      windowStart: FieldValue.serverTimestamp(),
      windowCount: 1,
    });
    await batch.commit();

    const staffPage = await signInStaff(staff);
    await goTo(staffPage, 'Staff inbox');
    await staffPage
      .getByRole('list', { name: 'Conversations' })
      .getByRole('link', { name: new RegExp(member.username) })
      .click();
    const received = staffPage
      .getByRole('list', { name: 'Messages' })
      .getByRole('listitem')
      .filter({ hasText: 'Here is the invoice.' });
    const files = received.getByRole('list', { name: 'Attached files' });
    const row = attachmentRow(files, 'report.bat.txt');
    await expectText(row.getByRole('status'), 'Accepted');
    expect(await files.textContent()).not.toContain('report.pdf');
    const [download] = await Promise.all([
      staffPage.waitForEvent('download'),
      row.getByRole('button', { name: 'Download report.bat.txt' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe('report.bat.txt');
    await staffPage.context().close();
  });
});
