import { expect, test } from '@playwright/test';
import { fields, inspector } from './lab-helpers.ts';

test.beforeEach(async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.goto('./');
  await page.waitForLoadState('networkidle');
  await inspector(page).getByRole('tab', { name: 'Paste & decode' }).click();
});

const input = (page: import('@playwright/test').Page) =>
  inspector(page).getByLabel('Bytes to decode, as hex or base64');

test('the RFC 6455 §5.7 examples decode to their exact fields', async ({ page }) => {
  const view = inspector(page);
  await view.getByRole('button', { name: 'Unmasked "Hello"', exact: true }).click();
  expect(await fields(page)).toEqual({
    fin: '1',
    rsv1: '0',
    rsv2: '0',
    rsv3: '0',
    opcode: '1',
    mask: '0',
    len7: '5',
    payload: '"Hello"',
  });

  await view.getByRole('button', { name: 'Masked "Hello"', exact: true }).click();
  expect(await fields(page)).toEqual({
    fin: '1',
    rsv1: '0',
    rsv2: '0',
    rsv3: '0',
    opcode: '1',
    mask: '1',
    len7: '5',
    maskKey: '37 fa 21 3d',
    payload: '"Hello"',
  });

  await view.getByRole('button', { name: 'Fragmented "Hel" + "lo"' }).click();
  await expect(view.getByText('9 bytes (hex) · 2 frames')).toBeVisible();
  expect(await fields(page)).toMatchObject({ fin: '0', opcode: '1', len7: '3', payload: '"Hel"' });
  await view.getByRole('group', { name: 'Decoded frames' }).getByRole('button').nth(1).click();
  expect(await fields(page)).toMatchObject({ fin: '1', opcode: '0', len7: '2' });

  await view.getByRole('button', { name: 'Ping, masked pong' }).click();
  expect(await fields(page)).toMatchObject({ fin: '1', opcode: '9', mask: '0', len7: '5' });
  await view.getByRole('group', { name: 'Decoded frames' }).getByRole('button').nth(1).click();
  expect(await fields(page)).toMatchObject({ opcode: '10', mask: '1', maskKey: '37 fa 21 3d' });

  await view.getByRole('button', { name: '256-byte binary' }).click();
  expect(await fields(page)).toMatchObject({ opcode: '2', len7: '126', len16: '256' });
});

test('base64 and Wireshark hex dumps decode too', async ({ page }) => {
  await input(page).fill('gQVIZWxsbw==');
  await expect(inspector(page).getByText('7 bytes (base64) · 1 frame')).toBeVisible();
  expect(await fields(page)).toMatchObject({ payload: '"Hello"' });
  await input(page).fill('0000   81 85 37 fa 21 3d 7f 9f 4d 51 58               ..7.!=..MQX');
  await expect(inspector(page).getByText('11 bytes (hexdump) · 1 frame')).toBeVisible();
  expect(await fields(page)).toMatchObject({ maskKey: '37 fa 21 3d', payload: '"Hello"' });
});

test('malformed input gets a precise message: which byte, which rule', async ({ page }) => {
  await input(page).fill('81 05 48 6g');
  await expect(inspector(page).getByText("'g' at character 11 is not a hex digit (0-9, a-f)")).toBeVisible();
  await input(page).fill('81 05 48 65');
  await expect(
    inspector(page).getByText(
      'Frame 1 at byte 0: the header says 5 payload bytes, but only 2 follow: 3 missing.',
    ),
  ).toBeVisible();
  await input(page).fill('91 00');
  await expect(
    inspector(page).getByText(
      /Frame 1, byte 0 \(0x91\): RSV bit set although no extension defining it was negotiated/,
    ),
  ).toBeVisible();
  await expect(inspector(page).locator('tr.problem[data-field="rsv3"]')).toBeVisible();
});
