/**
 * Makes sure Playwright has a Chromium to drive, or says clearly why not.
 * Debian's chromium is used when present; as root on Debian we install it (browsers cannot be
 * downloaded by npm tools on every machine); elsewhere Playwright's own browser is used.
 */
import { chromium } from '@playwright/test';
import { execSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { SYSTEM_CHROMIUM } from './browser.ts';

export function ensureBrowser(): string {
  if (process.env.CHROMIUM_PATH && existsSync(process.env.CHROMIUM_PATH)) return process.env.CHROMIUM_PATH;
  if (existsSync(SYSTEM_CHROMIUM)) return SYSTEM_CHROMIUM;
  const bundled = chromium.executablePath();
  if (bundled && existsSync(bundled)) return bundled;
  const isRoot = process.getuid?.() === 0;
  if (isRoot && existsSync('/etc/debian_version')) {
    console.log("No Chromium found: installing Debian's chromium (apt-get, as root)...");
    execSync('apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium', {
      stdio: 'inherit',
    });
    if (existsSync(SYSTEM_CHROMIUM)) return SYSTEM_CHROMIUM;
  }
  throw new Error(
    'No Chromium for the e2e tests. Install one: on Debian/Ubuntu `sudo apt-get install chromium`, ' +
      'elsewhere `npx playwright install chromium`, or point CHROMIUM_PATH at a Chromium binary.',
  );
}
