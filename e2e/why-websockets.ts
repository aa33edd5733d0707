/**
 * The polling lesson's widget on the real page: polling, long polling and a WebSocket run side
 * by side and their counters move on screen (server mode: the page's fetch and Chromium's
 * WebSocket to the Node server; loopback: the in-page network).
 */
import { expect, test, type Locator, type Page } from '@playwright/test';
import { collectPageErrors } from './console.ts';
import { openLesson } from './lesson-helpers.ts';

const number = async (cell: Locator): Promise<number> =>
  Number((await cell.innerText()).replace(/[^\d]/g, ''));

async function openComparison(page: Page): Promise<Locator> {
  await openLesson(page, 'why-websockets');
  await page
    .getByRole('region', { name: 'Lessons' })
    .getByRole('button', { name: /Step 4:/ })
    .click();
  const widget = page.getByRole('region', { name: 'Polling, long polling and a WebSocket on the same feed' });
  await expect(widget).toBeVisible();
  return widget;
}

export function widgetCountsLive(mode: 'server' | 'loopback'): void {
  test(`the comparison's counters move as the three clients run, and the WebSocket costs least per update (${mode})`, async ({
    page,
  }) => {
    test.setTimeout(60_000);
    const errors = collectPageErrors(page);
    const widget = await openComparison(page);
    const column = (client: string, metric: string) =>
      widget.locator(`td[data-metric="${metric}"]`).nth(['poll', 'long-poll', 'websocket'].indexOf(client));
    for (const name of ['polling', 'long polling', 'websocket'])
      await widget.getByRole('button', { name: `Start ${name}` }).click();
    // 5 updates each: what the step's check asks before it compares (lessons/09-why-websockets).
    for (const client of ['poll', 'long-poll', 'websocket'])
      await expect
        .poll(() => number(column(client, 'updates')), { timeout: 20_000 })
        .toBeGreaterThanOrEqual(5);
    expect(await number(column('poll', 'requests'))).toBeGreaterThanOrEqual(3);
    expect(await number(column('websocket', 'requests'))).toBe(1);
    const ws = await number(column('websocket', 'bytes-per-update'));
    expect(ws).toBeGreaterThan(0);
    expect(ws).toBeLessThan(await number(column('poll', 'bytes-per-update')));
    expect(ws).toBeLessThan(await number(column('long-poll', 'bytes-per-update')));
    await expect(column('websocket', 'latest')).toContainText(/[A-Z]+ \d+\.\d\d/);
    for (const name of ['polling', 'long polling', 'websocket'])
      await widget.getByRole('button', { name: `Stop ${name}` }).click();
    const requests = await number(column('poll', 'requests'));
    await page.waitForTimeout(1500);
    expect(await number(column('poll', 'requests')), 'Stop stops polling').toBe(requests);
    // The step's check read the same exchanges and the same socket from the trace.
    await expect(page.getByRole('region', { name: 'Lessons' }).locator('li.ok')).toContainText(/WebSocket/);
    for (const theme of ['light', 'dark'] as const) {
      await page.emulateMedia({ colorScheme: theme });
      await widget.scrollIntoViewIfNeeded();
      await page.screenshot({ path: `test-results/why-websockets-${mode}-${theme}.png` });
    }
    // Stop aborts the request in flight (a held long poll, on purpose): not an error.
    expect(errors.filter((e) => !/\/(long-)?poll\?since=\d+ \(net::ERR_ABORTED\)$/.test(e))).toEqual([]);
  });
}
