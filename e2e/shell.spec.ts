import { expect, test } from '@playwright/test';
import { collectPageErrors } from './console.ts';

const background = (page: import('@playwright/test').Page) =>
  page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);

test('the shell renders its four areas with no console errors', async ({ page }) => {
  const errors = collectPageErrors(page);
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.goto('./');
  await expect(page).toHaveTitle(/WebSocket Playground/);
  await expect(page.getByRole('link', { name: /WebSocket Playground, home/ })).toBeVisible();
  for (const name of ['Lessons', 'Connection lab', 'Frame inspector', 'Code']) {
    await expect(page.getByRole('region', { name, exact: true })).toBeVisible();
  }
  // At a projector's 1280x720 nothing spills sideways.
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  await page.waitForLoadState('networkidle');
  expect(errors).toEqual([]);
});

test('the theme follows the system until the learner picks one, and the pick survives a reload', async ({
  page,
}) => {
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.goto('./');
  await expect(page.getByRole('region', { name: 'Lessons' })).toBeVisible();
  const systemDark = await background(page);

  await page.emulateMedia({ colorScheme: 'light' });
  const systemLight = await background(page);
  expect(systemLight).not.toBe(systemDark);

  const group = page.getByRole('group', { name: 'Colour theme' });
  await group.getByRole('button', { name: /Dark/ }).click();
  await expect(group.getByRole('button', { name: /Dark/ })).toHaveAttribute('aria-pressed', 'true');
  expect(await background(page)).toBe(systemDark);
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');

  await page.reload();
  expect(await background(page)).toBe(systemDark);

  await page
    .getByRole('group', { name: 'Colour theme' })
    .getByRole('button', { name: /System/ })
    .click();
  await expect(page.locator('html')).not.toHaveAttribute('data-theme', /.*/);
  expect(await background(page)).toBe(systemLight);
});
