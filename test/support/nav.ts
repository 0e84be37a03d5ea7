import type { Page } from 'playwright-core';

// The app's navigation bar as people use it: on a phone it is folded behind "Menu".

function nav(page: Page) {
  return page.getByRole('navigation', { name: 'Main' });
}

export async function openMenu(page: Page): Promise<void> {
  const toggle = nav(page).getByRole('button', { name: 'Menu' });
  if ((await toggle.isVisible()) && (await toggle.getAttribute('aria-expanded')) !== 'true')
    await toggle.click();
}

/** Follows a link of the navigation bar ("Library", "Staff inbox", …). */
export async function goTo(page: Page, name: string): Promise<void> {
  await openMenu(page);
  await nav(page).getByRole('link', { name, exact: true }).click();
}

export async function signOutOf(page: Page): Promise<void> {
  await openMenu(page);
  await nav(page).getByRole('button', { name: 'Sign out' }).click();
}

/** Whether the navigation bar offers a link, open or folded. */
export async function navOffers(page: Page, name: string): Promise<boolean> {
  return (await nav(page).getByRole('link', { name, exact: true }).count()) > 0;
}
