import { mkdir, readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectId, ROOT } from '../../scripts/lib/project.js';
import { seedDemoData } from '../../scripts/seed.js';
import { badgePng } from '../../scripts/sample-media/png.js';
import { launchChromium } from '../support/browser.js';
import { smsCodeFor, smsCodesSentTo } from '../support/sms.js';
import {
  adminApp,
  createStaff,
  createVerifiedMember,
  type Person,
  type StaffPerson,
} from '../support/staff.js';
import { startWebApp } from '../support/web-server.js';

// Issue 16: every page at a phone's and a desktop's size, checked by axe-core (a serious or
// critical finding fails the test) and photographed into test-results/screenshots/ so people can
// look at the layouts. Debian's Chromium.

const VIEWPORTS = [
  { name: 'phone', width: 390, height: 844, colorScheme: 'light' },
  { name: 'desktop', width: 1280, height: 800, colorScheme: 'light' },
  // The dark palette has its own contrasts to get right.
  { name: 'phone, dark', width: 390, height: 844, colorScheme: 'dark' },
] as const;
const SHOTS = join(ROOT, 'test-results', 'screenshots');

let browser: Browser;
let web: { url: string; close: () => Promise<void> };
let admin: ReturnType<typeof adminApp>;
let axeSource: string;
let member: Person;
let staff: StaffPerson;
const origin = () => web.url.replace(/\/$/, '');

beforeAll(async () => {
  admin = adminApp();
  const axePath = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
  [browser, web, axeSource, member, staff] = await Promise.all([
    launchChromium(),
    startWebApp(),
    readFile(axePath, 'utf8'),
    createVerifiedMember(admin.app),
    createStaff(admin.app),
    mkdir(SHOTS, { recursive: true }),
  ]);
  // The demo library: a PDF, an image, text and a premium video, as `npm start` shows them.
  await seedDemoData(process.env as Record<string, string>, projectId());
});
afterAll(async () => {
  await browser?.close();
  await web?.close();
  await admin?.close();
});

interface Finding {
  id: string;
  impact: string | null;
  help: string;
  targets: string[];
}

/** axe-core's serious and critical findings on the page as it stands. */
async function seriousFindings(page: Page): Promise<Finding[]> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ content: axeSource });
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run(ctx: Document): Promise<AxeResults> } }).axe;
    interface AxeResults {
      violations: Array<{
        id: string;
        impact?: string | null;
        help: string;
        nodes: Array<{ target: unknown[] }>;
      }>;
    }
    const result = await axe.run(document);
    return result.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => ({
        id: v.id,
        impact: v.impact ?? null,
        help: v.help,
        targets: v.nodes.map((n) => n.target.join(' ')),
      }));
  });
}

/** Waits until the page has its heading and nothing on it is still loading. */
async function settled(page: Page, heading: string | RegExp): Promise<void> {
  await page.getByRole('heading', { level: 1, name: heading }).waitFor();
  await page.waitForFunction(() => !/Loading…|Checking…/.test(document.body.innerText), undefined, {
    timeout: 15_000,
  });
}

async function checkPage(page: Page, shot: string, heading: string | RegExp): Promise<void> {
  await settled(page, heading);
  const width = page.viewportSize()?.width ?? 0;
  const dark = await page.evaluate(() => matchMedia('(prefers-color-scheme: dark)').matches);
  const name = `${shot}-${width}${dark ? '-dark' : ''}`;
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
  expect(await seriousFindings(page), name).toEqual([]);
  // Nothing may widen the page sideways.
  expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
}

async function signIn(page: Page, who: Person): Promise<void> {
  await page.goto(`${origin()}/signin`);
  await page.getByLabel('Email', { exact: true }).fill(who.email);
  await page.getByLabel('Password', { exact: true }).fill(who.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
}

describe.each(VIEWPORTS)('every page at $name size ($width×$height)', ({ width, height, colorScheme }) => {
  // The first run writes the messages and audit entries that later runs show.
  const writes = width === VIEWPORTS[0].width && colorScheme === VIEWPORTS[0].colorScheme;

  it('signed-out pages and the not-found page', async () => {
    const page = await browser.newPage({ viewport: { width, height }, colorScheme });
    for (const [path, shot, heading] of [
      ['/signin', 'signin', 'Sign in to Member Portal'],
      ['/signup', 'signup', 'Create your account'],
      ['/reset', 'reset', 'Reset your password'],
      ['/no/such/page', 'not-found', 'Page not found'],
    ] as const) {
      await page.goto(origin() + path);
      await checkPage(page, shot, heading);
    }
    // Show password: the typed secret can be checked, then hidden again.
    await page.goto(`${origin()}/signin`);
    const password = page.getByLabel('Password', { exact: true });
    await password.fill('typed secret');
    const toggle = page.getByRole('button', { name: 'Show password' });
    await toggle.click();
    expect(await password.getAttribute('type')).toBe('text');
    expect(await toggle.getAttribute('aria-pressed')).toBe('true');
    await toggle.click();
    expect(await password.getAttribute('type')).toBe('password');
    expect(await password.inputValue()).toBe('typed secret');
    await page.close();
  });

  it('a member’s pages, and the refusal of a staff page', async () => {
    const page = await browser.newPage({ viewport: { width, height }, colorScheme });
    await signIn(page, member);
    await checkPage(page, 'home', `Welcome back, ${member.username}!`);
    for (const [path, shot, heading] of [
      ['/library', 'library', 'Library'],
      ['/account', 'account', 'Your account'],
      ['/staff', 'staff-refused', 'Staff only'],
    ] as const) {
      await page.goto(origin() + path);
      await checkPage(page, shot, heading);
    }
    // A conversation with an image: the first run writes, later runs show the staff's reply too.
    await page.goto(`${origin()}/messages`);
    await settled(page, 'Messages with the company');
    if (writes) {
      await page.getByLabel('Message', { exact: true }).fill('Hello! Here is my badge.');
      await page
        .getByLabel('Attach files')
        .setInputFiles([{ name: 'badge.png', mimeType: 'image/png', buffer: badgePng() }]);
      await page.getByRole('listitem').filter({ hasText: 'badge.png' }).getByText('Accepted').waitFor();
      await page.getByRole('button', { name: 'Send' }).click();
      await page.getByText('Message sent.').waitFor();
    }
    // Accepted pictures show in the conversation.
    await page.getByRole('img', { name: 'Picture: badge.png' }).waitFor();
    await checkPage(page, 'messages', 'Messages with the company');
    await page.close();
  });

  it('the staff console, inbox and a conversation', async () => {
    const page = await browser.newPage({ viewport: { width, height }, colorScheme });
    const sent = (await smsCodesSentTo(staff.phoneNumber)).length;
    await signIn(page, staff);
    await page
      .getByLabel('Verification code', { exact: true })
      .fill(await smsCodeFor(staff.phoneNumber, sent));
    await page.getByRole('button', { name: 'Sign in' }).click();
    await settled(page, `Welcome back, ${staff.username}!`);
    for (const [path, shot, heading] of [
      ['/staff', 'staff', 'Staff console'],
      ['/staff/inbox', 'staff-inbox', 'Staff inbox'],
      [`/staff/inbox/${member.uid}`, 'staff-conversation', /Conversation with|Staff inbox/],
    ] as const) {
      await page.goto(origin() + path);
      if (shot === 'staff' && writes) {
        // Entries for the audit log, and premium for the member's later visit.
        await page.getByLabel('Member (username or email)').fill(member.username);
        await page.getByRole('button', { name: 'Grant premium' }).click();
        await page.getByText(/^Premium granted to /).waitFor();
        await page.getByRole('button', { name: 'Refresh audit log' }).click();
      }
      if (shot === 'staff-conversation' && writes) {
        await page.getByLabel('Message', { exact: true }).fill('Thank you, it looks great.');
        await page.getByRole('button', { name: 'Send' }).click();
        await page.getByText('Message sent.').waitFor();
      }
      await checkPage(page, shot, heading);
    }
    await page.close();
  });
});
