import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/browser.js';
import { uniqueEmail } from '../support/client.js';
import { startWebApp } from '../support/web-server.js';

let browser: Browser;
let web: { url: string; close: () => Promise<void> };

beforeAll(async () => {
  [browser, web] = await Promise.all([launchChromium(), startWebApp()]);
});
afterAll(async () => {
  await browser?.close();
  await web?.close();
});

async function openApp(): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const page = await context.newPage();
  await page.goto(web.url);
  return page;
}

describe('visitor in the browser, against the Auth and Functions emulators', () => {
  it('signs up, reaches the signed-in page and the callable sees them', async () => {
    const page = await openApp();
    await page.getByRole('button', { name: 'Create an account' }).click();
    const email = uniqueEmail('e2e');
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill('a long enough password');
    await page.getByRole('button', { name: 'Sign up' }).click();
    await page.getByRole('heading', { name: `Signed in as ${email}` }).waitFor();

    await page.getByRole('button', { name: 'Ask the server who I am' }).click();
    await expect
      .poll(() => page.getByRole('status').textContent(), { timeout: 15_000 })
      .toBe(`The server sees ${email} (not verified yet).`);

    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await page.context().close();
  });

  it('shows a clear error for a wrong password', async () => {
    const page = await openApp();
    await page.getByLabel('Email').fill(uniqueEmail('nobody'));
    await page.getByLabel('Password').fill('not the password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect
      .poll(() => page.getByRole('status').textContent(), { timeout: 15_000 })
      .toBe('Email or password is incorrect.');
    await page.context().close();
  });
});
