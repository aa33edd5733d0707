import { expect, test, type Page } from '@playwright/test';
import { codePanel, editorText, openCode, setCode } from './code-helpers.ts';

// Two pages load Monaco each: give them time.
test.describe.configure({ timeout: 120_000 });

/** Clicks into the editor and selects all, so the next insertText replaces the code in one edit. */
async function selectAll(page: Page): Promise<void> {
  await codePanel(page)
    .locator('.monaco-editor .view-lines')
    .click({ position: { x: 30, y: 8 } });
  await page.keyboard.press('ControlOrMeta+a');
}

const conflict = (page: Page) => codePanel(page).getByRole('alert', { name: /Edited in another tab/ });

test('two tabs editing one snippet: a save shows in the other tab, and edits made in both at once are never dropped silently', async ({
  context,
}) => {
  const a = await context.newPage();
  const b = await context.newPage();
  await openCode(a);
  await openCode(b);

  // A saves; B, with no edits of its own, shows A's code and says where it came from.
  await setCode(a, "console.log('saved in tab A');");
  await expect.poll(() => editorText(b), { timeout: 10_000 }).toContain("console.log('saved in tab A');");
  await expect(codePanel(b).getByRole('status').filter({ hasText: 'changed in another tab' })).toBeVisible();
  await expect(conflict(b)).toHaveCount(0);

  // Both edit at once: whichever saves second finds the other's save and asks instead of
  // writing over it.
  await selectAll(a);
  await selectAll(b);
  await Promise.all([a.keyboard.insertText("const from = 'A';"), b.keyboard.insertText("const from = 'B';")]);
  await expect
    .poll(async () => (await conflict(a).count()) + (await conflict(b).count()), { timeout: 10_000 })
    .toBe(1);
  const [asker, other] = (await conflict(a).count()) === 1 ? [a, b] : [b, a];
  const mine = asker === a ? "const from = 'A';" : "const from = 'B';";
  const theirs = asker === a ? "const from = 'B';" : "const from = 'A';";
  // Each tab still shows its own edit: nothing was replaced behind the learner's back.
  expect(await editorText(asker)).toContain(mine);
  expect(await editorText(other)).toContain(theirs);
  await expect(conflict(asker)).toContainText("This tab's edits are not saved until you choose");

  // The learner keeps this tab's version: it is saved, and the other tab (no edits since) takes it.
  await conflict(asker).getByRole('button', { name: "Keep this tab's version" }).click();
  await expect(conflict(asker)).toHaveCount(0);
  await expect.poll(() => editorText(other), { timeout: 10_000 }).toContain(mine);
  await expect(conflict(other)).toHaveCount(0);
  // A reload of either tab finds the kept version saved.
  await other.reload();
  await openCode(other, '');
  await expect.poll(() => editorText(other), { timeout: 10_000 }).toContain(mine);
});
