/**
 * The lessons on the dev server (server mode: Chromium's own WebSocket, bytes from the tap):
 * every lesson's walkthrough on the real wire, and a learner's way through the player by hand.
 */
import { expect, test } from '@playwright/test';
import { collectPageErrors } from './console.ts';
import { everyLessonPlays, openLesson } from './lesson-helpers.ts';
import { inspector } from './lab-helpers.ts';
import { codePanel, openCode } from './code-helpers.ts';

everyLessonPlays('server');

const lessons = (page: import('@playwright/test').Page) => page.getByRole('region', { name: 'Lessons' });

test('a learner predicts, opens /echo from the lesson, sees the check pass and the explanation, and keeps it all over a reload', async ({
  page,
}) => {
  const errors = collectPageErrors(page);
  await page.goto('./');
  await lessons(page)
    .getByRole('link', { name: /The opening handshake/ })
    .click();
  await expect(page).toHaveURL(/#lesson=handshake\/the-first-request-is-plain-http$/);
  const l = lessons(page);
  await expect(l.getByText("The explanation opens when this step's checks pass.")).toBeVisible();
  await l.getByRole('radio', { name: 'An HTTP GET request' }).check();
  await l.getByRole('button', { name: 'Lock in my prediction' }).click();
  await expect(l.getByText('You predicted: An HTTP GET request')).toBeVisible();
  await page.waitForFunction(
    () => (window as unknown as { __wspLab?: { ready: boolean } }).__wspLab?.ready === true,
  );
  await l.getByRole('button', { name: /Open \/echo/ }).click();
  await expect(l.locator('li.ok', { hasText: /GET/ })).toBeVisible();
  await expect(l.locator('.compare')).toContainText(
    "You predicted An HTTP GET request; the wire showed 'GET /echo?deflate=0 HTTP/1.1'",
  );
  await l.getByRole('button', { name: 'Next ›' }).click();
  await expect(page).toHaveURL(/#lesson=handshake\/a-fresh-key-for-every-connection$/);

  await page.reload();
  await expect(
    lessons(page).getByRole('heading', { name: 'A fresh key for every connection' }),
  ).toBeVisible();
  await lessons(page)
    .getByRole('button', { name: /Step 1:/ })
    .click();
  await expect(lessons(page).getByText('You predicted: An HTTP GET request')).toBeVisible();
  await expect(lessons(page).getByText('(locked)')).toBeVisible();
  expect(errors).toEqual([]);
});

test('a wrong close shows what was expected, what the wire showed, and selects that frame with the field lit', async ({
  page,
}) => {
  await openLesson(page, 'closing');
  const l = lessons(page);
  await l.getByRole('button', { name: /Step 3:/ }).click();
  await l.getByRole('button', { name: /Open \/echo/ }).click();
  const lab = page.getByRole('region', { name: 'Connection lab' });
  await expect(lab.locator('[data-state="OPEN"][aria-current="step"]')).toBeVisible();
  await lab.getByRole('button', { name: 'Close', exact: true }).click();
  const detail = l.locator('.detail');
  await expect(detail.getByText('Expected')).toBeVisible();
  await expect(detail).toContainText(/3000/);
  await expect(detail).toContainText(/CLOSE 1000/);
  await detail.getByRole('button', { name: /Show this frame/ }).click();
  const i = inspector(page);
  await expect(
    i.getByRole('listbox', { name: 'Frames' }).getByRole('option', { selected: true }),
  ).toContainText('CLOSE');
  await expect(i.locator('.hl').first()).toBeVisible();
});

test('progress exports as a file and imports back; reset all clears it', async ({ page }) => {
  await openLesson(page, 'handshake');
  const l = lessons(page);
  await l.getByRole('radio', { name: 'An HTTP GET request' }).check();
  await l.getByRole('button', { name: 'Lock in my prediction' }).click();
  await l.getByRole('button', { name: '‹ All lessons' }).click();
  const download = page.waitForEvent('download');
  await l.getByRole('button', { name: 'Export progress' }).click();
  const file = await (await download).path();
  await l.getByRole('button', { name: 'Reset all…' }).click();
  await l.getByRole('button', { name: 'Clear', exact: true }).click();
  await expect(l.getByText('All progress was cleared.')).toBeVisible();
  await l.locator('input[type=file]').setInputFiles(file!);
  await expect(l.getByText(/Imported progress of 1 lesson/)).toBeVisible();
  await l.getByRole('link', { name: /The opening handshake/ }).click();
  await expect(l.getByText('You predicted: An HTTP GET request')).toBeVisible();
});

test('the solution asks first, then plays on the wire, and the lesson counts as seen, not passed', async ({
  page,
}) => {
  await openLesson(page, 'payload-lengths');
  const l = lessons(page);
  await l.getByRole('button', { name: 'Show solution…' }).click();
  await expect(l.getByText('The lesson will count as seen, not passed.', { exact: false })).toBeVisible();
  await l.getByRole('button', { name: 'Not yet' }).click();
  await expect(l.locator('.meta .status')).toHaveCount(0);
  await l.getByRole('button', { name: 'Show solution…' }).click();
  await l.getByRole('button', { name: 'Do it for me' }).click();
  await expect(l.getByText(/Done: every step above was played on the wire/)).toBeVisible({ timeout: 30_000 });
  await expect(l.locator('.check li.current')).toHaveCount(0);
  await expect(l.locator('.meta .status')).toHaveText('solution seen');
  await l.getByRole('button', { name: '‹ All lessons' }).click();
  await expect(l.getByRole('link', { name: /Payload lengths/ })).toContainText('solution seen');
});

test('a lesson reads as one page: found by RFC section, every step on it, and back to step by step', async ({
  page,
}) => {
  const errors = collectPageErrors(page);
  await page.goto('./');
  const l = lessons(page);
  await l.getByText('Look up by RFC section').click();
  const masking = l.locator('dt', { hasText: '§5.3' });
  await expect(masking).toContainText('Client-to-Server Masking');
  await l
    .locator('dt:has-text("§5.3") + dd')
    .getByRole('link', { name: /Masking/ })
    .click();
  await expect(page).toHaveURL(/#lesson=masking\/page$/);
  const steps = l.locator('section.page-step');
  expect(await steps.count()).toBeGreaterThanOrEqual(4);
  await expect(l.getByText(/steps on one page/)).toBeVisible();
  // The last step is on the page without going through the others.
  await expect(steps.last().locator('h4')).toBeVisible();
  await expect(l.getByRole('button', { name: /Next ›/ })).toBeHidden();

  await page.reload();
  await expect(l.locator('section.page-step').first()).toBeVisible();
  await l.getByRole('button', { name: 'Step by step' }).click();
  await expect(l.locator('section.page-step')).toHaveCount(0);
  await expect(page).toHaveURL(/#lesson=masking\/[a-z0-9-]+$/);
  await expect(page).not.toHaveURL(/\/page$/);
  expect(errors).toEqual([]);
});

test('a snippet links to the lesson that teaches it, and the folded lesson column opens for it', async ({
  page,
}) => {
  await openCode(page);
  const l = lessons(page);
  const fold = page.locator('#panel-lesson').getByRole('button', { name: 'Lessons', exact: true });
  await fold.click();
  await expect(fold).toHaveAttribute('aria-expanded', 'false');
  await codePanel(page).getByRole('link', { name: 'Learn it in a lesson ›' }).click();
  await expect(page).toHaveURL(/#lesson=lifecycle/);
  await expect(fold).toHaveAttribute('aria-expanded', 'true');
  await expect(l.getByRole('heading', { name: /The API and the lifecycle/ })).toBeVisible();
});
