/**
 * The dev server's test page for the behaviour suite, and a guard against Vite reloading it:
 * when the dependency optimizer finishes (a cold cache) or a source file changes, Vite's
 * client reloads the page, which destroys a running evaluate. That is no fault of the code
 * under test, so the step is run again on the fresh page (at most twice); any other error
 * fails the test at once.
 */
import type { Page } from '@playwright/test';

export async function openSuite(page: Page): Promise<void> {
  await page.goto('/e2e/behaviour/page.html');
  await page.waitForFunction(() => window.__wspBehaviour !== undefined);
}

const RELOADED =
  /Execution context was destroyed|navigation|Target page, context or browser has been closed/i;

export async function inSuitePage<R>(page: Page, step: () => Promise<R>): Promise<R> {
  for (let attempt = 1; ; attempt++) {
    await openSuite(page);
    try {
      return await step();
    } catch (error) {
      if (attempt >= 3 || !RELOADED.test(String(error)) || page.isClosed()) throw error;
    }
  }
}
