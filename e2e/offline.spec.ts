/** The dev server never registers a service worker (it is the production build's only). */
import { expect, test } from '@playwright/test';

test('the dev server registers no service worker and serves no sw.js', async ({ page }) => {
  const asked: string[] = [];
  page.on('request', (r) => asked.push(new URL(r.url()).pathname));
  await page.goto('./');
  await expect(page.getByRole('region', { name: 'Frame inspector' })).toBeVisible();
  await page.waitForLoadState('load');
  await page.waitForLoadState('networkidle');
  expect(await page.evaluate(async () => (await navigator.serviceWorker.getRegistrations()).length)).toBe(0);
  expect(asked.filter((p) => p.endsWith('sw.js') || p.includes('offline-start'))).toEqual([]);
});
