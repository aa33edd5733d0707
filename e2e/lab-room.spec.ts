/**
 * Room for the data (issue 13): a projector is 1280x720. The frame list is as tall as its
 * rows and resizable, an event opens in full, the active tab stays in view, the text can be
 * made bigger, /close has one-click variants, and the ?tap= token stays out of the way.
 */
import { expect, test } from '@playwright/test';
import { connectEcho, inspector, lab, sendText } from './lab-helpers.ts';
import { openCode } from './code-helpers.ts';

test('the frame list is as tall as its rows, and the divider resizes it', async ({ page }) => {
  await connectEcho(page);
  await sendText(page, 'hello');
  const frames = inspector(page).getByRole('listbox', { name: 'Frames' });
  await expect(frames.getByRole('option')).toHaveCount(2);
  const split = inspector(page).locator('.split');
  const listBox = async () => (await inspector(page).locator('.split > .list').boundingBox())!.height;
  const splitH = (await split.boundingBox())!.height;
  // Two frames: a few rows, not half the panel.
  expect(await listBox()).toBeLessThan(splitH * 0.3);
  const divider = inspector(page).getByRole('separator', { name: 'Resize the frame list' });
  const before = await listBox();
  await divider.focus();
  for (let i = 0; i < 4; i++) await page.keyboard.press('ArrowDown');
  expect(await listBox()).toBeGreaterThan(before + 3 * 20);
});

test('a message in the events column opens in full: JSON pretty-printed, with Copy', async ({ page }) => {
  await connectEcho(page);
  const l = lab(page);
  await l.locator('label:has(input[value="json"])').click();
  await l.getByLabel('JSON message').fill('{"type":"chat","text":"hi"}');
  await l.getByRole('button', { name: 'Send', exact: true }).click();
  const events = l.getByRole('listbox', { name: 'Event timeline' });
  // Rows read as JSON, not escaped.
  await expect(events).toContainText('send("{"type":"chat","text":"hi"}")');
  await events.getByRole('option').filter({ hasText: 'message' }).last().click();
  const full = l.getByRole('region', { name: 'Message in full' });
  await expect(full).toBeVisible();
  await expect(full.locator('pre')).toHaveText('{\n  "type": "chat",\n  "text": "hi"\n}');
  await expect(full.getByRole('button', { name: 'Copy' })).toBeVisible();
});

test('with more tabs than fit, the active one is scrolled into view', async ({ page }) => {
  await connectEcho(page);
  const l = lab(page);
  for (let i = 0; i < 14; i++) await l.getByRole('button', { name: 'New connection tab' }).click();
  const active = l.getByRole('tab', { selected: true });
  await expect(active).toBeInViewport();
  await l.getByRole('tab').first().click();
  await expect(l.getByRole('tab').first()).toBeInViewport();
  await l.getByRole('tab').first().press('End');
  await expect(l.getByRole('tab', { selected: true })).toBeInViewport();
});

test('projector text: every type token scales, and the bit diagram labels grow with it', async ({ page }) => {
  await connectEcho(page);
  await sendText(page, 'hello');
  await inspector(page).getByRole('listbox', { name: 'Frames' }).getByRole('option').first().click();
  const label = inspector(page).locator('.seg').first();
  const small = await label.evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
  expect(small).toBeGreaterThanOrEqual(9.5);
  await page.getByRole('button', { name: /Projector/ }).click();
  const big = await label.evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
  expect(big).toBeGreaterThanOrEqual(14);
  // Remembered over a reload.
  await page.reload();
  await expect(page.getByRole('button', { name: /Projector/ })).toHaveAttribute('aria-pressed', 'true');
});

test('projector text at 1280x720: the header keeps the whole privacy notice (it wraps, not cut)', async ({
  page,
}) => {
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.goto('./');
  await page.getByRole('button', { name: /Projector/ }).click();
  const notice = page.getByTestId('privacy-notice');
  await expect(notice).toHaveText('Progress stays in this browser');
  // Its box, as laid out, lies inside what the header shows of it.
  const fits = await notice.evaluate((el) => {
    const box = el.getBoundingClientRect();
    const shown = el.parentElement!.getBoundingClientRect();
    return box.right <= shown.right + 0.5 && el.scrollWidth <= el.clientWidth + 1;
  });
  expect(fits).toBe(true);
});

test('/close has one-click variants: a 1006 drop and a 1005 empty close', async ({ page }) => {
  await connectEcho(page);
  const l = lab(page);
  for (const [chip, code, clean] of [
    ['/close 1006', '1006', 'wasClean false'],
    ['/close 1005', '1005', 'wasClean true'],
  ] as const) {
    await l.getByRole('button', { name: 'New connection tab' }).click();
    await l.getByRole('group', { name: 'Bundled endpoints' }).getByRole('button', { name: chip }).click();
    await l.getByRole('button', { name: 'Connect', exact: true }).click();
    await expect(l.getByTestId('close-summary')).toContainText(code);
    await expect(l.getByTestId('close-summary')).toContainText(clean);
  }
});

test("the handshake view hides the playground's ?tap= token, and shows it on request with why", async ({
  page,
}) => {
  await connectEcho(page); // uncompressed (the lab helper's default): the URL says deflate=0
  await inspector(page).getByRole('tab', { name: 'Handshake' }).click();
  const start = inspector(page).locator('.start').first();
  await expect(start).toHaveText(/^GET \/echo\?deflate=0\s+HTTP\/1\.1$/);
  await inspector(page)
    .getByRole('button', { name: /Show the playground's \?tap= token/ })
    .click();
  await expect(start).toContainText('&tap=');
  await expect(inspector(page).getByTestId('tap-note')).toContainText('mirror');
});

test('at 150% zoom (1280x720 seen as 853x480) the bit diagram is not cut: it fits or scrolls inside the inspector', async ({
  page,
}) => {
  await connectEcho(page);
  await sendText(page, 'hello');
  await page.setViewportSize({ width: 853, height: 480 });
  await inspector(page).getByRole('listbox', { name: 'Frames' }).getByRole('option').first().click();
  const grid = inspector(page).locator('.bitgrid');
  await grid.scrollIntoViewIfNeeded();
  const fit = await grid.evaluate((g) => {
    const panel = g.closest('section, [role="region"]')!.getBoundingClientRect();
    const r = g.getBoundingClientRect();
    return {
      inside: r.right <= panel.right + 1,
      scrolls: g.scrollWidth <= g.clientWidth || getComputedStyle(g).overflowX === 'auto',
    };
  });
  expect(fit).toEqual({ inside: true, scrolls: true });
});

/** The events list's box, and whether all of it is inside the window. */
async function eventsBox(page: import('@playwright/test').Page) {
  const list = lab(page).getByRole('listbox', { name: 'Event timeline' });
  const box = (await list.boundingBox())!;
  const viewport = page.viewportSize()!;
  return { height: box.height, inView: box.y >= 0 && box.y + box.height <= viewport.height + 1 };
}

test('at 1280x720 the events keep their room: a close summary, a note and an event opened in full do not push the list out of view or crush it', async ({
  page,
}) => {
  await connectEcho(page);
  for (const text of ['one', 'two', 'three']) await sendText(page, text);
  const l = lab(page);
  // A message over the server's limit: a 1009 close with its summary.
  await sendText(page, 'x'.repeat(2 * 1024 * 1024));
  await expect(l.getByTestId('close-summary')).toContainText('1009');
  const row = 26; // the timeline's row height at the normal text size
  let box = await eventsBox(page);
  expect(box.inView).toBe(true);
  expect(box.height).toBeGreaterThanOrEqual(6 * row);
  // An event opened in full gets room of its own under the list.
  await l.getByRole('listbox', { name: 'Event timeline' }).getByRole('option').last().click();
  await expect(l.getByRole('region', { name: 'Event in full' })).toBeVisible();
  box = await eventsBox(page);
  expect(box.inView).toBe(true);
  expect(box.height).toBeGreaterThanOrEqual(5 * row);

  // A second tab straight to a host that is not ours: a 1006 and a note on why no frames show.
  await l.getByRole('button', { name: 'New connection tab' }).click();
  await l.getByLabel('WebSocket URL').fill('ws://127.0.0.1:9/');
  await l.getByRole('button', { name: 'Connect', exact: true }).click();
  await expect(l.getByTestId('close-summary')).toContainText('1006');
  await expect(l.getByTestId('session-note')).toBeVisible();
  box = await eventsBox(page);
  expect(box.inView).toBe(true);
  expect(box.height).toBeGreaterThanOrEqual(6 * row);
});

test('the divider above the events gives them more rows, and the controls scroll instead', async ({
  page,
}) => {
  await connectEcho(page);
  const l = lab(page);
  const before = (await eventsBox(page)).height;
  const divider = l.getByRole('separator', { name: 'Resize the events' });
  await divider.focus();
  for (let i = 0; i < 4; i++) await page.keyboard.press('ArrowUp');
  const after = await eventsBox(page);
  expect(after.height).toBeGreaterThan(before + 3 * 20);
  expect(after.inView).toBe(true);
  // The composer is still reachable: its region scrolls.
  await l.getByRole('button', { name: 'Send', exact: true }).scrollIntoViewIfNeeded();
  await expect(l.getByRole('button', { name: 'Send', exact: true })).toBeInViewport();
});

test('at 1280x720 with a lesson open, Focus on the code gives the editor at least 600x300 px and keeps the console beside it', async ({
  page,
}) => {
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.goto('./#lesson=lifecycle');
  const panel = await openCode(page, '');
  await panel.getByRole('button', { name: /Focus on the code/ }).click();
  await expect(panel.getByRole('button', { name: /Focus on the code/ })).toHaveAttribute(
    'aria-pressed',
    'true',
  );
  await expect(page.getByRole('heading', { name: /The API and the lifecycle/ })).toBeVisible();
  const editor = (await panel.locator('.monaco-editor').boundingBox())!;
  expect(editor.width).toBeGreaterThanOrEqual(600);
  expect(editor.height).toBeGreaterThanOrEqual(300);
  const terminal = (await panel.locator('.xterm').boundingBox())!;
  expect(terminal.width).toBeGreaterThanOrEqual(200);
  expect(terminal.height).toBeGreaterThanOrEqual(200);
  // And back: the lab and the inspector return.
  await panel.getByRole('button', { name: /Focus on the code/ }).click();
  await expect(lab(page)).toBeVisible();
  await expect(inspector(page)).toBeVisible();
});

test('projector text: the code editor and its console grow with it', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 720 });
  const panel = await openCode(page);
  const px = (selector: string) => () =>
    panel
      .locator(selector)
      .first()
      .evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
  expect(await px('.monaco-editor .view-lines')()).toBeLessThan(15);
  expect(await px('.xterm-rows')()).toBeLessThan(14);
  await page.getByRole('button', { name: /Projector/ }).click();
  await expect.poll(px('.monaco-editor .view-lines')).toBeGreaterThanOrEqual(18);
  await expect.poll(px('.xterm-rows')).toBeGreaterThanOrEqual(17);
});
