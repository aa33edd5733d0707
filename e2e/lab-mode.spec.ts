/**
 * The mode switch on the dev server (our Node server serves the page): the header shows Server;
 * switching to Loopback changes what NEW connections use, while an open tab keeps its transport
 * and its label; switching back gives the server again.
 */
import { expect, test, type Page } from '@playwright/test';
import { collectPageErrors } from './console.ts';
import { frameRows, lab, sendText } from './lab-helpers.ts';

const modes = (page: Page) => page.getByRole('group', { name: 'Transport for new connections' });

async function connectEchoInTab(page: Page, url: string | RegExp): Promise<void> {
  const l = lab(page);
  await l
    .getByRole('group', { name: 'Bundled endpoints' })
    .getByRole('button', { name: '/echo', exact: true })
    .click();
  await expect(l.getByLabel('WebSocket URL')).toHaveValue(url);
  // Uncompressed (?deflate=0), so frame lengths are those of the text sent.
  await l.getByRole('checkbox', { name: /Compression \(permessage-deflate/ }).uncheck();
  await l.getByRole('button', { name: 'Connect', exact: true }).click();
  await expect(l.locator('[data-state="OPEN"][aria-current="step"]')).toBeVisible();
}

test('dev server: Server is detected; switch to Loopback for a second tab, the first keeps the server; switch back', async ({
  page,
}) => {
  const errors = collectPageErrors(page);
  const nativeSockets: string[] = [];
  page.on('websocket', (ws) => nativeSockets.push(new URL(ws.url()).pathname));
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.goto('./');
  const server = modes(page).getByRole('radio', { name: 'Server' });
  const loopback = modes(page).getByRole('radio', { name: 'Loopback' });
  await expect(server).toBeChecked();
  await expect(server).toBeEnabled();
  await expect(server).toHaveAccessibleDescription(/real TCP to the Node server/);
  await expect(loopback).toHaveAccessibleDescription(/in-page virtual network/);

  const l = lab(page);
  const via = l.getByTestId('via');
  const tabs = l.getByRole('tablist', { name: 'Connections' }).getByRole('tab');

  // Tab 1, server mode: a real socket to the dev server's /echo, bytes from the tap.
  await connectEchoInTab(page, /^ws:\/\/127\.0\.0\.1:\d+\/echo$/);
  await expect(via).toHaveText('Node server');
  await sendText(page, 'over tcp');
  await expect
    .poll(() => frameRows(page))
    .toEqual(['→ TEXT fin=1 len=8 masked', '← TEXT fin=1 len=8 unmasked']);
  await expect(l.getByLabel('Fragments per message')).toBeDisabled();
  expect(nativeSockets).toContain('/echo');
  const nativeBefore = nativeSockets.length;

  // Switch: tab 1 stays on the server; a new tab uses the loopback.
  await loopback.check();
  await expect(loopback).toBeChecked();
  await expect(via).toHaveText('Node server');
  await expect(l.getByLabel('Fragments per message')).toBeDisabled();
  await l.getByRole('button', { name: 'New connection tab' }).click();
  await expect(tabs).toHaveCount(2);
  await expect(via).toHaveText('in-page loopback');
  await connectEchoInTab(page, 'ws://playground.local/echo');
  await expect(via).toHaveText('in-page loopback');
  await sendText(page, 'in page');
  await expect
    .poll(() => frameRows(page))
    .toEqual(['→ TEXT fin=1 len=7 masked', '← TEXT fin=1 len=7 unmasked']);
  await expect(l.getByLabel('Fragments per message')).toBeEnabled();
  await expect(l.getByRole('group', { name: 'Network conditions' })).toBeVisible();
  // The loopback socket never touched the network.
  expect(nativeSockets.length).toBe(nativeBefore);

  // Tab 1 is still the server connection, open, with its own frames.
  await tabs.nth(0).click();
  await expect(via).toHaveText('Node server');
  await expect(l.locator('[data-state="OPEN"][aria-current="step"]')).toBeVisible();
  await expect
    .poll(() => frameRows(page))
    .toEqual(['→ TEXT fin=1 len=8 masked', '← TEXT fin=1 len=8 unmasked']);
  await expect(l.getByRole('group', { name: 'Network conditions' })).toHaveCount(0);

  // Switch back: a third tab is a server connection again; tab 2 stays on the loopback.
  await server.check();
  await expect(server).toBeChecked();
  await l.getByRole('button', { name: 'New connection tab' }).click();
  await expect(tabs).toHaveCount(3);
  await expect(via).toHaveText('Node server');
  await connectEchoInTab(page, /^ws:\/\/127\.0\.0\.1:\d+\/echo$/);
  await expect.poll(() => nativeSockets.filter((p) => p === '/echo').length).toBe(2);
  await tabs.nth(1).click();
  await expect(via).toHaveText('in-page loopback');
  await expect(l.locator('[data-state="OPEN"][aria-current="step"]')).toBeVisible();

  expect(errors).toEqual([]);
});
