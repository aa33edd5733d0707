/**
 * The first page loads only what the first screen shows; the rest loads when it is opened.
 * Shared by first-page.spec.ts (dev server: modules by path) and static.first-page.spec.ts
 * (the build: hashed chunks), so the names below match both (`FrameDetail.svelte`, `FrameDetail-x1.js`).
 */
import { expect, test, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import { codePanel, codeFold } from './code-helpers.ts';
import { connectEcho, fields, inspector, lab, sendText } from './lab-helpers.ts';

/** Each part the first screen must not request, by the file (dev) or chunk (build) it loads from. */
export const LAZY_PARTS: Record<string, RegExp> = {
  'the bit view': /\/FrameDetail[.-]/,
  'the handshake view': /\/HandshakeView[.-]/,
  'paste and decode': /\/PasteDecode[.-]/,
  'import and export': /\/export[.-][^/]*$/,
  'the code area': /\/code-area[.-]/,
  'Monaco and xterm': /monaco|editor\.api|xterm/,
};

function recordRequests(page: Page): string[] {
  const urls: string[] = [];
  page.on('request', (r) => urls.push(new URL(r.url()).pathname));
  return urls;
}

/** The in-page network's controls: on a static host they show with the loopback, at once. */
const NETWORK_CONTROLS = /\/NetworkControls[.-]/;

const requested = (urls: readonly string[], part: string): string[] =>
  urls.filter((u) => LAZY_PARTS[part]!.test(u));

export function firstPageSpecs(mode: 'server' | 'loopback'): void {
  test('the first screen loads without requesting the parts it does not show', async ({ page }) => {
    const urls = recordRequests(page);
    await page.setViewportSize({ width: 1280, height: 720 });
    await page.goto('./');
    await page.waitForLoadState('networkidle');
    // The first screen is up: the lab's Connect button and the list of lessons.
    await expect(lab(page).getByRole('button', { name: 'Connect', exact: true })).toBeVisible();
    await expect(page.locator('#panel-lesson')).toContainText('handshake', { ignoreCase: true });
    await page.waitForTimeout(1000); // nothing loads later on its own either
    // Not vacuous: the page's own modules were seen, in the form the patterns expect.
    expect(urls.some((u) => /\/(InspectorPanel|index)[.-]/.test(u))).toBe(true);
    for (const part of Object.keys(LAZY_PARTS)) expect(requested(urls, part), part).toEqual([]);
    // The network controls load with the in-page network (the loopback), and only then.
    const controls = urls.filter((u) => NETWORK_CONTROLS.test(u));
    if (mode === 'server') expect(controls).toEqual([]);
    else {
      expect(controls.length).toBeGreaterThan(0);
      await expect(lab(page).getByRole('group', { name: 'Network conditions' })).toBeVisible();
    }
  });

  test('each part loads when it is opened, and works', async ({ page }) => {
    const urls = recordRequests(page);
    await connectEcho(page);
    await sendText(page, 'hi');
    const view = inspector(page);
    const list = view.getByRole('listbox', { name: 'Frames' });
    await expect(list.getByRole('option')).toHaveCount(2);
    expect(requested(urls, 'the bit view')).toEqual([]);

    await list.getByRole('option').nth(0).click();
    expect(await fields(page)).toMatchObject({ fin: '1', opcode: '1', mask: '1', payload: '"hi"' });
    expect(requested(urls, 'the bit view').length).toBeGreaterThan(0);

    await view.getByRole('tab', { name: 'Handshake' }).click();
    await expect(view.getByTestId('accept-verdict')).toContainText('the same');

    await view.getByRole('tab', { name: 'Paste & decode' }).click();
    await view.getByLabel('Bytes to decode, as hex or base64').fill('81 02 68 69');
    expect(await fields(page)).toMatchObject({ opcode: '1', mask: '0', payload: '"hi"' });

    const l = lab(page);
    const download = page.waitForEvent('download');
    await l.getByRole('button', { name: 'Export', exact: true }).click();
    const saved = readFileSync((await (await download).path())!, 'utf8');
    expect(saved).toContain('"hi"');
    await l.getByLabel('Import a session file').setInputFiles({
      name: 'again.json',
      mimeType: 'application/json',
      buffer: Buffer.from(saved),
    });
    await expect(l.getByTestId('import-message')).toContainText('Imported again.json: 1 connection');

    expect(requested(urls, 'the code area')).toEqual([]);
    await codeFold(page).click();
    await expect(codePanel(page).getByRole('combobox', { name: 'Snippet' })).toBeVisible();
    for (const part of [
      'the bit view',
      'the handshake view',
      'paste and decode',
      'import and export',
      'the code area',
    ])
      expect(requested(urls, part).length, part).toBeGreaterThan(0);
  });

  test('a part whose file fails to load says which, and loads on Try again', async ({ page }) => {
    let fail = true;
    await page.route(LAZY_PARTS['the bit view']!, (route) => (fail ? route.abort() : route.continue()));
    await connectEcho(page);
    await sendText(page, 'hi');
    const view = inspector(page);
    await view.getByRole('listbox', { name: 'Frames' }).getByRole('option').nth(0).click();
    const alert = view.getByRole('alert');
    await expect(alert).toContainText('The bit view could not be loaded (', { timeout: 10_000 });
    await expect(alert).toContainText('Check the connection and try again.');
    fail = false;
    await alert.getByRole('button', { name: 'Try again' }).click();
    expect(await fields(page)).toMatchObject({ opcode: '1', payload: '"hi"' });
  });

  test('Connect waits for the sessions, which load after the first screen; a failure says so and Try again loads them', async ({
    page,
  }) => {
    let fail = true;
    await page.route(/\/session-kit[.-]/, (route) => (fail ? route.abort() : route.continue()));
    await page.setViewportSize({ width: 1280, height: 720 });
    await page.goto('./');
    const l = lab(page);
    const connectButton = l.getByRole('button', { name: 'Connect', exact: true });
    const alert = l.getByRole('alert');
    // Retried twice before it gives up (about 2 s).
    await expect(alert).toContainText('The connection engine could not be loaded (', { timeout: 10_000 });
    await expect(alert).toContainText('Check the connection and try again.');
    await expect(connectButton).toBeDisabled();
    await expect(connectButton).toHaveAttribute('title', 'Loading the connection engine');
    fail = false;
    await alert.getByRole('button', { name: 'Try again' }).click();
    await expect(alert).toHaveCount(0);
    await l.getByRole('checkbox', { name: /Compression \(permessage-deflate/ }).uncheck();
    await connectButton.click();
    await expect(l.locator('[data-state="OPEN"][aria-current="step"]')).toBeVisible();
    await sendText(page, 'hi');
    await expect(inspector(page).getByRole('listbox', { name: 'Frames' }).getByRole('option')).toHaveCount(2);
    await expect(l.getByRole('region', { name: 'Events' })).toContainText('message');
  });
}
