/**
 * The relay in Chromium: a ws server in the test stands for the learner's own server; the lab
 * offers the relay for its URL, and both legs' frames are what each side sent. A target the
 * server does not allow is refused with a message that says how to allow it.
 */
import { expect, test, type Page } from '@playwright/test';
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { fields, frameRows, inspector, lab } from './lab-helpers.ts';

let wss: WebSocketServer;
let port = 0;
const got: string[] = [];
const sent: string[] = [];
const closes: Array<{ code: number; reason: string }> = [];

test.beforeAll(async () => {
  wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  wss.on('connection', (ws: WebSocket) => {
    ws.on('message', (d: Buffer) => {
      const text = d.toString('utf8');
      got.push(text);
      const answer = `your server got: ${text}`;
      sent.push(answer);
      ws.send(answer);
      ws.ping('from your server');
    });
    ws.on('close', (code: number, reason: Buffer) => closes.push({ code, reason: reason.toString() }));
  });
  await new Promise<void>((r) => wss.once('listening', () => r()));
  port = (wss.address() as AddressInfo).port;
});

test.afterAll(async () => {
  for (const c of wss.clients) c.terminate();
  await new Promise<void>((r) => wss.close(() => r()));
});

async function typeUrl(page: Page, url: string): Promise<void> {
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.goto('./');
  await page.waitForLoadState('networkidle');
  await lab(page).getByLabel('WebSocket URL').fill(url);
}

test('Chromium through the relay: both legs show what each side sent, pings and the close included', async ({
  page,
}) => {
  test.setTimeout(90_000);
  await typeUrl(page, `ws://127.0.0.1:${port}/path`);
  const l = lab(page);
  const offer = l.getByTestId('relay-offer');
  await expect(offer).toContainText('is not the playground');
  await offer.getByRole('button', { name: 'Connect through the relay' }).click();
  await expect(l.getByTestId('via')).toHaveText(`browser → relay → 127.0.0.1:${port}`);
  await expect(l.locator('[data-state="OPEN"][aria-current="step"]')).toBeVisible();

  await l.locator('label:has(input[value="text"])').click();
  await l.getByLabel('Text message').fill('hello relay');
  await l.getByRole('button', { name: 'Send', exact: true }).click();
  const frames = inspector(page).getByRole('listbox', { name: 'Frames' }).getByRole('option');
  // Leg 1: the browser's text (masked with its key), the echo, the target's ping and
  // Chromium's pong.
  await expect(frames).toHaveCount(4);
  const leg1 = await frameRows(page);
  expect(leg1).toEqual([
    '→ TEXT fin=1 len=11 masked',
    '← TEXT fin=1 len=28 unmasked',
    '← PING fin=1 len=16 unmasked',
    '→ PONG fin=1 len=16 masked',
  ]);
  await frames.first().click();
  const key1 = (await fields(page))['maskKey'];
  expect((await fields(page))['payload']).toBe('"hello relay"');
  expect(got).toEqual(['hello relay']);
  expect(sent).toEqual(['your server got: hello relay']);

  // Leg 2: the same frames between the relay and the target, with the relay's own keys.
  await l
    .getByTestId('leg-switch')
    .getByRole('button', { name: `relay ⇄ 127.0.0.1:${port}` })
    .click();
  await expect(frames).toHaveCount(4);
  const leg2 = await frameRows(page);
  expect(leg2).toEqual(leg1);
  await frames.first().click();
  expect((await fields(page))['payload']).toBe('"hello relay"');
  const key2 = (await fields(page))['maskKey'];
  expect(key1).toBeTruthy();
  expect(key2).toBeTruthy();
  expect(key2).not.toBe(key1); // the relay masks with keys of its own (5.3)
  // The relay's own handshake with the target.
  await inspector(page).getByRole('tab', { name: 'Handshake' }).click();
  await expect(inspector(page)).toContainText('GET /path HTTP/1.1');
  await inspector(page).getByRole('tab', { name: 'Frames' }).click();

  for (const theme of ['light', 'dark'] as const) {
    await page.emulateMedia({ colorScheme: theme });
    await page.waitForTimeout(600); // colour transitions settle
    await page.screenshot({ path: `docs/screenshots/relay-${theme}.png` });
  }
  await page.emulateMedia({ colorScheme: 'light' });

  await l.getByRole('button', { name: 'browser ⇄ relay' }).click();
  await l.getByRole('button', { name: 'Disconnect' }).click();
  await expect(l.getByTestId('close-summary')).toContainText('1000');
  await expect.poll(() => closes.at(-1)).toEqual({ code: 1000, reason: '' });
  await l.getByRole('button', { name: `relay ⇄ 127.0.0.1:${port}` }).click();
  // The close on leg 2: the relay passed the browser's Close on, the target answered it.
  await expect(frames.filter({ hasText: 'CLOSE' })).toHaveCount(2);
});

test('a target the server does not allow is refused, and the lab says why and how to allow it', async ({
  page,
}) => {
  await typeUrl(page, 'ws://192.0.2.7:9000/');
  await lab(page).getByRole('button', { name: 'Connect through the relay' }).click();
  const note = lab(page).getByTestId('session-note');
  await expect(note).toContainText('The relay answered 403 Forbidden');
  await expect(note).toContainText('192.0.2.7:9000 is not on this machine');
  await expect(note).toContainText('--relay-allow 192.0.2.7:9000');
});
