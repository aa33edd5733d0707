import { expect, test } from '@playwright/test';
import { collectPageErrors } from './console.ts';

test('the production build loads under a sub-path with no 404 and no console error', async ({
  page,
  baseURL,
}) => {
  expect(baseURL).toMatch(/\/playground\/$/);
  const errors = collectPageErrors(page);
  const requested: string[] = [];
  page.on('request', (r) => requested.push(new URL(r.url()).pathname));
  await page.goto('./');
  await expect(page.getByRole('region', { name: 'Frame inspector' })).toBeVisible();
  await page.waitForLoadState('networkidle');
  expect(errors).toEqual([]);
  // Every asset came from under the sub-path: the build uses relative URLs.
  expect(requested.length).toBeGreaterThan(2);
  for (const path of requested) expect(path.startsWith('/playground/')).toBe(true);
});
