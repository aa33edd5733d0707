import { expect, type Page } from '@playwright/test';
import { createHash } from 'node:crypto';

export const GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';

export function accept(key: string): string {
  return createHash('sha1')
    .update(key + GUID)
    .digest('base64');
}

export const lab = (page: Page) => page.getByRole('region', { name: 'Connection lab' });
export const inspector = (page: Page) => page.getByRole('region', { name: 'Frame inspector' });

/**
 * Opens `path` in the lab and connects. `deflate`: leave permessage-deflate on (the lab's
 * default); off (these helpers' default) keeps frame lengths and bytes as the text sent.
 */
export async function connectEcho(page: Page, path = '/echo', { deflate = false } = {}): Promise<void> {
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.goto('./');
  await page.waitForLoadState('networkidle');
  const l = lab(page);
  await l
    .getByRole('group', { name: 'Bundled endpoints' })
    .getByRole('button', { name: path, exact: true })
    .click();
  if (!deflate) await l.getByRole('checkbox', { name: /Compression \(permessage-deflate/ }).uncheck();
  await l.getByRole('button', { name: 'Connect', exact: true }).click();
  await expect(l.locator('[data-state="OPEN"][aria-current="step"]')).toBeVisible();
}

export async function sendText(page: Page, text: string): Promise<void> {
  const l = lab(page);
  await l.locator('label:has(input[value="text"])').click();
  await l.getByLabel('Text message').fill(text);
  await l.getByRole('button', { name: 'Send', exact: true }).click();
}

export async function sendHex(page: Page, hex: string): Promise<void> {
  const l = lab(page);
  await l.locator('label:has(input[value="hex"])').click();
  await l.getByLabel('Binary message as hex bytes').fill(hex);
  await l.getByRole('button', { name: 'Send', exact: true }).click();
}

/** The frames list's rows as shown: direction, opcode, FIN, length, mask. */
export async function frameRows(page: Page): Promise<string[]> {
  return inspector(page)
    .getByRole('listbox', { name: 'Frames' })
    .getByRole('option')
    .evaluateAll((rows) =>
      rows.map((r) => {
        const q = (c: string) => r.querySelector(c)?.textContent?.trim() ?? '';
        return `${q('.c-dir') === '→ sent' ? '→' : '←'} ${q('.c-op')} fin=${q('.c-fin')} len=${q('.c-len')} ${q('.c-mask') || 'unmasked'}`;
      }),
    );
}

/** Field id -> value from the selected frame's field table. */
export async function fields(page: Page, scope = inspector(page)): Promise<Record<string, string>> {
  // The bit view loads when the first frame is picked: wait for its table.
  await scope.locator('table.fields tbody tr').first().waitFor();
  return scope
    .locator('table.fields tbody tr')
    .evaluateAll((rows) =>
      Object.fromEntries(
        rows.map((r) => [
          r.getAttribute('data-field'),
          r.querySelector('[data-testid=field-value]')?.textContent?.trim() ?? '',
        ]),
      ),
    );
}

export async function hexOfSelected(page: Page): Promise<number[]> {
  const hex = await inspector(page).getByTestId('hex-view').first().getAttribute('data-hex');
  return (hex ?? '')
    .split(' ')
    .filter(Boolean)
    .map((h) => parseInt(h, 16));
}

/** Every row of a virtualized listbox, in order: scrolls it from top to bottom. */
export async function allRows(
  list: import('@playwright/test').Locator,
  text: (row: Element) => string,
): Promise<string[]> {
  const rows = new Map<number, string>();
  await list.evaluate((el) => (el.scrollTop = 0));
  for (let i = 0; i < 200; i++) {
    const seen = await list
      .getByRole('option')
      .evaluateAll(
        (els, fn) =>
          els.map(
            (e) =>
              [Number(e.getAttribute('aria-posinset')), new Function('r', `return (${fn})(r)`)(e)] as [
                number,
                string,
              ],
          ),
        text.toString(),
      );
    for (const [k, v] of seen) rows.set(k, v);
    const done = await list.evaluate((el) => {
      const end = el.scrollTop + el.clientHeight >= el.scrollHeight - 1;
      el.scrollTop += el.clientHeight;
      return end;
    });
    if (done) break;
  }
  return [...rows.entries()].sort((a, b) => a[0] - b[0]).map(([, v]) => v);
}
