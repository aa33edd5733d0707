import { expect, test } from '@playwright/test';
import { connectEcho, inspector } from './lab-helpers.ts';

/**
 * Runs in the 'perf' project, alone, after every other test: the production build on a plain
 * static host, so the echo server is the in-page loopback and the page does all the work (the
 * engine on both ends, the services, the lab and the inspector). The dev build's Svelte runtime
 * adds checks that make timings noisy.
 *
 * 10,000 frames arriving at 1,000 a second (500 messages/s echoed), with the inspector following
 * them and the learner scrolling: no main-thread task may last over 50 ms (Long Tasks API).
 */
// A trace recorder (screencast, snapshots) competes for the same main thread: off for this measurement.
test.use({ trace: 'off' });

test('a 10,000-frame session stays responsive while frames arrive and while scrolling', async ({ page }) => {
  test.setTimeout(90_000);
  await connectEcho(page);
  await page.evaluate(() => {
    const w = window as unknown as { __longTasks: number[] };
    w.__longTasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) w.__longTasks.push(e.duration);
    }).observe({ type: 'longtask' });
  });

  // Drive the lab's own session from the page: 50 messages every 50 ms = 1,000 frames/s with the echoes.
  await page.evaluate(
    () =>
      new Promise<void>((resolve) => {
        const lab = (
          window as unknown as { __wspLab: { active: { session: { send(d: string): string | undefined } } } }
        ).__wspLab;
        const session = lab.active.session;
        let sent = 0;
        const timer = setInterval(() => {
          for (let i = 0; i < 25; i++) session.send(`message ${++sent} ${'·'.repeat(sent % 40)}`);
          if (sent >= 5000) {
            clearInterval(timer);
            resolve();
          }
        }, 25);
      }),
  );
  const list = inspector(page).getByRole('listbox', { name: 'Frames' });
  await expect(inspector(page).getByText('10,000 frames')).toBeVisible({ timeout: 20_000 });
  const arriving = await page.evaluate(() =>
    (window as unknown as { __longTasks: number[] }).__longTasks.slice(),
  );

  // Diagnostics: how many long tasks so far (to split the figure below by phase).
  const taken = () =>
    page.evaluate(() => (window as unknown as { __longTasks: number[] }).__longTasks.length);

  // Scroll the 10,000-frame list, top to bottom, with the wheel, and filter/search it.
  await list.hover();
  for (let i = 0; i < 40; i++) await page.mouse.wheel(0, -2000);
  for (let i = 0; i < 40; i++) await page.mouse.wheel(0, 1500);
  const afterWheel = await taken();
  await list.getByRole('option').nth(3).click();
  const afterSelect = await taken();
  await inspector(page).getByLabel('Search in payloads').fill('message 4999');
  await expect(inspector(page).getByText(/^2 of 10,000 frames$/)).toBeVisible();
  const all = await page.evaluate(() => (window as unknown as { __longTasks: number[] }).__longTasks.slice());
  const scrolling = all.slice(arriving.length);

  const max = (xs: number[]) => (xs.length ? Math.max(...xs) : 0);
  const figure = (xs: number[]) => `${xs.length} (max ${max(xs).toFixed(0)} ms)`;
  console.log(
    `long tasks (>50 ms): while arriving ${figure(arriving)}; while scrolling/searching ${figure(scrolling)}`,
  );
  console.log(
    `  by phase: wheel ${figure(all.slice(arriving.length, afterWheel))}, select ${figure(all.slice(afterWheel, afterSelect))}, search ${figure(all.slice(afterSelect))}`,
  );
  // Only the DOM rows in view exist.
  expect(await list.getByRole('option').count()).toBeLessThan(60);
  expect(arriving, 'main-thread tasks over 50 ms while 1,000 frames/s arrived').toEqual([]);
  expect(scrolling, 'main-thread tasks over 50 ms while scrolling').toEqual([]);
});
