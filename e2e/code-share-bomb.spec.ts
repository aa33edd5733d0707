import { expect, test } from '@playwright/test';
import { createDeflateRaw } from 'node:zlib';
import { codeFold, codePanel, openCode } from './code-helpers.ts';

test.describe.configure({ timeout: 90_000 });

/** A share link whose code is 200 MiB of 'a', deflated about 1000:1 into some 270 KB of link. */
async function bombLink(): Promise<string> {
  const z = createDeflateRaw({ level: 9 });
  const parts: Buffer[] = [];
  z.on('data', (c: Buffer) => parts.push(c));
  const done = new Promise((resolve) => z.on('end', resolve));
  z.write('{"s":"connect-log","l":"js","c":"');
  const block = Buffer.alloc(1 << 20, 0x61);
  for (let i = 0; i < 200; i++) z.write(block);
  z.end('"}');
  await done;
  return Buffer.concat(parts).toString('base64url');
}

test('a compression bomb in a share link is refused while it inflates, with a clear message, and the page stays small', async ({
  page,
}) => {
  const value = await bombLink();
  expect(value.length).toBeGreaterThan(250_000);
  await page.goto(`./#code=1.${value}`);
  await expect(codeFold(page)).toHaveAttribute('aria-expanded', 'true');
  await openCode(page, '');
  const alert = codePanel(page).getByRole('alert').filter({ hasText: 'too big to open' });
  await expect(alert).toBeVisible();
  await expect(alert).toContainText('Your own code is untouched');
  await expect(codePanel(page).getByRole('combobox', { name: 'Snippet' })).not.toContainText('Shared:');
  // 200 MiB of code would be 200 MiB of string at least (and far more in the editor).
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Performance.enable');
  const { metrics } = await cdp.send('Performance.getMetrics');
  const heap = metrics.find((m) => m.name === 'JSHeapUsedSize')!.value;
  expect(heap).toBeLessThan(150 * 1024 * 1024);
});
