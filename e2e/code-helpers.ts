/** Helpers for the code area's specs: open it, pick snippets, run them, read their consoles. */
import { expect, type Locator, type Page } from '@playwright/test';

export function codePanel(page: Page): Locator {
  return page.locator('#panel-code');
}

/** The code area's fold button (its header): aria-expanded tells whether the area is open. */
export function codeFold(page: Page): Locator {
  return codePanel(page).getByRole('button', { name: 'Code', exact: true });
}

/** Loads the page (or not) and unfolds the code area until its editor is ready. */
export async function openCode(page: Page, url = './'): Promise<Locator> {
  if (url) await page.goto(url);
  const panel = codePanel(page);
  // Unfolds the area (again, if the dev server reloaded the page after optimising a dependency).
  await expect(async () => {
    const fold = codeFold(page);
    if ((await fold.count()) > 0 && (await fold.getAttribute('aria-expanded')) === 'false')
      await fold.click();
    // The page may unfold the area by itself meanwhile (a share link being opened): a click that
    // crossed it folded the area again, so check, and click again on the next round if needed.
    if ((await fold.count()) > 0)
      await expect(fold).toHaveAttribute('aria-expanded', 'true', { timeout: 1_000 });
    await expect(panel.locator('.editor')).toHaveAttribute('data-status', 'ready', { timeout: 5_000 });
    // The console's terminal too: once both lazy parts have loaded, a dev server that optimises
    // dependencies on first use has done its reload.
    await expect(panel.locator('.xterm')).toBeAttached({ timeout: 5_000 });
  }).toPass({ timeout: 40_000 });
  return panel;
}

export async function pickSnippet(page: Page, title: string): Promise<void> {
  const select = codePanel(page).getByRole('combobox', { name: 'Snippet' });
  const value = await select.locator('option', { hasText: title }).first().getAttribute('value');
  await select.selectOption(value!);
}

export async function run(page: Page, another = false): Promise<void> {
  await codePanel(page)
    .getByRole('button', { name: another ? /Run another/ : /^▶ (Run|Restart)$/ })
    .click();
}

/** Selects a run's console tab by its label. */
export async function showRun(page: Page, label: string | RegExp): Promise<void> {
  await codePanel(page).getByRole('tab', { name: label }).click();
}

/** The selected run's console, as text (the terminal's text alternative). */
export function consoleLog(page: Page): Locator {
  return codePanel(page).getByRole('log', { name: 'Console output' });
}

/** Replaces the editor's content: select all, then the text arrives as one input (like a paste). */
export async function setCode(page: Page, code: string): Promise<void> {
  await codePanel(page)
    .locator('.monaco-editor .view-lines')
    .click({ position: { x: 30, y: 8 } });
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.press('Delete');
  await page.keyboard.insertText(code);
}

/** The selected run's console lines. */
export async function consoleLines(page: Page): Promise<string[]> {
  return consoleLog(page).locator('div').allTextContents();
}

/** The editor's text (what Monaco renders, line by line). */
export async function editorText(page: Page): Promise<string> {
  return page.evaluate(() => {
    const lines = [...document.querySelectorAll('#panel-code .view-lines .view-line')] as HTMLElement[];
    return lines
      .map((l) => ({ top: parseFloat(l.style.top), text: (l.textContent ?? '').replace(/\u00a0/g, ' ') }))
      .sort((a, b) => a.top - b.top)
      .map((l) => l.text)
      .join('\n');
  });
}
