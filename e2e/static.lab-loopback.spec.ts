/**
 * The built site on a plain static file server (node:http + fs, no upgrade handler, no
 * playground header), under a sub-path, as a learner gets it on any static host: the page picks
 * the loopback by itself, the Server option is disabled with its reason, and the connection
 * lab connects, echoes, fragments and drops entirely in the page.
 *
 * dist/ is built by the static project's webServer (playwright.config.ts) before this runs;
 * `vite preview` is NOT used here, because it also runs our server plugin.
 */
import { expect, test, type Page } from '@playwright/test';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startStaticHost, type StaticHost } from '../scripts/static-host.ts';
import { collectPageErrors } from './console.ts';
import { fields, frameRows, hexOfSelected, inspector, lab, sendText } from './lab-helpers.ts';

const DIST = resolve('dist');
const SUB = '/site/sub/';

let host: StaticHost;
let origin = '';
/** Every request the static server saw, and whether any asked to upgrade. */
let seen: StaticHost['seen'] = [];

test.beforeAll(async () => {
  expect(existsSync(join(DIST, 'index.html')), 'dist/ must be built (the static project builds it)').toBe(
    true,
  );
  host = await startStaticHost({ dir: DIST, base: SUB });
  origin = new URL(host.url).origin;
  seen = host.seen;
});

test.afterAll(async () => {
  await host.close();
});

async function open(page: Page): Promise<{ errors: string[]; nativeSockets: string[] }> {
  const errors = collectPageErrors(page);
  const nativeSockets: string[] = [];
  page.on('websocket', (ws) => nativeSockets.push(ws.url()));
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.goto(origin + SUB);
  // The probe found no server: Loopback is chosen, Server is disabled and says why.
  const modes = page.getByRole('group', { name: 'Transport for new connections' });
  await expect(modes.getByRole('radio', { name: 'Loopback' })).toBeChecked();
  const server = modes.getByRole('radio', { name: 'Server' });
  await expect(server).toBeDisabled();
  await expect(server).not.toBeChecked();
  await expect(server).toHaveAccessibleDescription(/No playground server answers on this origin/);
  await expect(modes.locator('label', { hasText: 'Server' })).toHaveAttribute('title', /static host/);
  await expect(lab(page).getByTestId('via')).toHaveText('in-page loopback');
  return { errors, nativeSockets };
}

async function connect(page: Page): Promise<void> {
  const l = lab(page);
  await l
    .getByRole('group', { name: 'Bundled endpoints' })
    .getByRole('button', { name: '/echo', exact: true })
    .click();
  await expect(l.getByLabel('WebSocket URL')).toHaveValue('ws://playground.local/echo');
  // Uncompressed (?deflate=0), so frame lengths are those of the text sent.
  await l.getByRole('checkbox', { name: /Compression \(permessage-deflate/ }).uncheck();
  await l.getByRole('button', { name: 'Connect', exact: true }).click();
  await expect(l.locator('[data-state="OPEN"][aria-current="step"]')).toBeVisible();
}

test('on a plain static host the lab uses the loopback: connect to /echo, echo, see both frames', async ({
  page,
}) => {
  const { errors, nativeSockets } = await open(page);
  await connect(page);
  await sendText(page, 'hello static');
  await expect(lab(page).getByRole('listbox', { name: 'Event timeline' })).toContainText(
    'message · "hello static"',
  );
  await expect
    .poll(() => frameRows(page))
    .toEqual(['→ TEXT fin=1 len=12 masked', '← TEXT fin=1 len=12 unmasked']);

  // The client frame: MASK bit set and a 4-byte key; unmasking it gives the text back.
  const list = inspector(page).getByRole('listbox', { name: 'Frames' });
  await list.getByRole('option').nth(0).click();
  await expect.poll(async () => (await hexOfSelected(page)).length).toBe(2 + 4 + 12);
  const client = await hexOfSelected(page);
  expect(client.slice(0, 2)).toEqual([0x81, 0x80 | 12]);
  const key = client.slice(2, 6);
  expect(String.fromCharCode(...client.slice(6).map((b, i) => b ^ key[i % 4]!))).toBe('hello static');
  await expect
    .poll(() => fields(page))
    .toMatchObject({ mask: '1', maskKey: key.map((b) => b.toString(16).padStart(2, '0')).join(' ') });

  // The server frame: no mask, the payload in clear.
  await list.getByRole('option').nth(1).click();
  await expect
    .poll(() => hexOfSelected(page))
    .toEqual([0x81, 12, ...[...'hello static'].map((c) => c.charCodeAt(0))]);
  expect(await fields(page)).not.toHaveProperty('maskKey');

  // Nothing left the page: no WebSocket, no upgrade request, and the only request besides
  // the files is the probe's one HEAD for the page.
  expect(nativeSockets).toEqual([]);
  expect(seen.filter((r) => r.upgrade)).toEqual([]);
  expect(seen.filter((r) => r.method === 'HEAD').map((r) => r.path)).toContain(SUB);
  expect(errors).toEqual([]);
});

test('on a plain static host: a message in 3 fragments is TEXT + 2 CONT, and dropping the connection gives 1006', async ({
  page,
}) => {
  const { errors, nativeSockets } = await open(page);
  await connect(page);
  const l = lab(page);
  const fragments = l.getByLabel('Fragments per message');
  await expect(fragments).toBeEnabled();
  await fragments.fill('3');
  await sendText(page, 'abcdefghi');
  await expect(l.getByRole('listbox', { name: 'Event timeline' })).toContainText('message · "abcdefghi"');
  await expect
    .poll(() => frameRows(page))
    .toEqual([
      '→ TEXT fin=0 len=3 masked',
      '→ CONT fin=0 len=3 masked',
      '→ CONT fin=1 len=3 masked',
      '← TEXT fin=1 len=9 unmasked',
    ]);

  // The network conditions, then drop: the page sees 1006 with no close frame on the wire.
  const net = l.getByRole('group', { name: 'Network conditions' });
  await net.getByText('Network').click();
  await net.getByRole('button', { name: 'Drop connection' }).click();
  const summary = l.getByTestId('close-summary');
  await expect(summary).toContainText('1006');
  await expect(summary).toContainText('wasClean false');
  await expect(l.locator('[data-state="CLOSED"][aria-current="step"]')).toBeVisible();
  expect((await frameRows(page)).filter((r) => r.includes('CLOSE'))).toEqual([]);

  // Fail the next handshake: the next connection gets error, then 1006, and never opens.
  await net.getByRole('button', { name: 'Fail next handshake' }).click();
  await expect(net.locator('summary')).toContainText('next handshake: HTTP 503');
  await l.getByRole('button', { name: 'Connect', exact: true }).click();
  await expect(l.getByTestId('close-summary')).toContainText('1006');
  await expect(l.getByRole('listbox', { name: 'Event timeline' })).toContainText('503');
  await expect(l.locator('li.step.reached[data-state="OPEN"]')).toHaveCount(0);
  await expect(net.locator('summary')).not.toContainText('next handshake'); // used up by that one

  expect(nativeSockets).toEqual([]);
  expect(errors).toEqual([]);
});
