/**
 * Which Chromium the tests drive. Debian's /usr/bin/chromium when the machine has it (browsers
 * cannot be downloaded here); Playwright's own browser elsewhere.
 */
import { existsSync } from 'node:fs';
import type { LaunchOptions } from '@playwright/test';

export const SYSTEM_CHROMIUM = '/usr/bin/chromium';

/** Flags for a quiet, offline, headless Chromium (as root, Playwright already adds --no-sandbox). */
const QUIET_FLAGS = [
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

export function chromiumLaunchOptions(): LaunchOptions {
  const executablePath =
    process.env.CHROMIUM_PATH ?? (existsSync(SYSTEM_CHROMIUM) ? SYSTEM_CHROMIUM : undefined);
  return executablePath ? { executablePath, args: QUIET_FLAGS } : { args: QUIET_FLAGS };
}
