/**
 * Screenshots of the running app, for the README and for looking at what we built:
 *   npx tsx scripts/shoot.ts <url> <out.png> [light|dark] [width] [height]
 */
import { chromium } from '@playwright/test';
import { chromiumLaunchOptions } from './browser.ts';

const [url, out, scheme = 'light', width = '1280', height = '720'] = process.argv.slice(2);
if (!url || !out) {
  console.error('usage: shoot.ts <url> <out.png> [light|dark] [width] [height]');
  process.exit(2);
}
const browser = await chromium.launch(chromiumLaunchOptions());
const page = await browser.newPage({
  viewport: { width: Number(width), height: Number(height) },
  colorScheme: scheme === 'dark' ? 'dark' : 'light',
});
page.on('console', (m) => m.type() === 'error' && console.error('console:', m.text()));
await page.goto(url);
await page.waitForLoadState('networkidle');
await page.screenshot({ path: out });
await browser.close();
console.log(`wrote ${out}`);
