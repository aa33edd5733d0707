import AxeBuilder from '@axe-core/playwright';
import { expect, test } from '@playwright/test';
import { connectEcho, inspector, sendText } from './lab-helpers.ts';

for (const theme of ['light', 'dark'] as const) {
  test(`axe finds no violations on the main screen, ${theme} theme, idle and with a frame selected`, async ({
    page,
  }) => {
    await page.emulateMedia({ colorScheme: theme });
    await page.setViewportSize({ width: 1280, height: 720 });
    await page.goto('./');
    await page.waitForLoadState('networkidle');
    const idle = await new AxeBuilder({ page }).analyze();
    expect(
      idle.violations.map(
        (v) => `${v.id}: ${v.nodes.map((n) => `${n.target.join(' ')} ${n.failureSummary}`).join(', ')}`,
      ),
    ).toEqual([]);

    await connectEcho(page);
    await sendText(page, 'hello');
    const list = inspector(page).getByRole('listbox', { name: 'Frames' });
    await expect(list.getByRole('option')).toHaveCount(2);
    await list.getByRole('option').first().click();
    await expect(inspector(page).locator('table.fields')).toBeVisible();
    const busy = await new AxeBuilder({ page }).analyze();
    expect(
      busy.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`),
    ).toEqual([]);

    for (const view of ['Handshake', 'Paste & decode']) {
      await inspector(page).getByRole('tab', { name: view }).click();
      const r = await new AxeBuilder({ page }).include('#panel-inspector').analyze();
      expect(
        r.violations.map((v) => `${view} ${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`),
      ).toEqual([]);
    }
  });
}

test('every lab control is reachable by keyboard and labelled', async ({ page }) => {
  await page.goto('./');
  await page.waitForLoadState('networkidle');
  const names: string[] = [];
  for (let i = 0; i < 60; i++) {
    await page.keyboard.press('Tab');
    const info = await page.evaluate(() => {
      const el = document.activeElement as HTMLElement | null;
      if (!el || el === document.body) return null;
      const label =
        el.getAttribute('aria-label') ??
        (el.id ? document.querySelector(`label[for="${el.id}"]`)?.textContent : null) ??
        el.closest('label')?.textContent ??
        el.textContent;
      return { tag: el.tagName, label: (label ?? '').trim().replace(/\s+/g, ' ') };
    });
    if (!info) continue;
    expect(info.label, `${info.tag} #${i} has no name`).not.toBe('');
    names.push(info.label);
  }
  for (const expected of [
    '/echo',
    'WebSocket URL',
    'Subprotocols, comma separated',
    'Connect',
    'Text message',
    'Send this many times',
    'Frames',
  ]) {
    expect(
      names.some((n) => n.includes(expected)),
      `${expected} in ${names.join(' | ')}`,
    ).toBe(true);
  }
});
