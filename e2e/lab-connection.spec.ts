import { expect, test } from '@playwright/test';
import { collectPageErrors } from './console.ts';
import {
  accept,
  allRows,
  connectEcho,
  fields,
  frameRows,
  hexOfSelected,
  inspector,
  lab,
  sendHex,
  sendText,
} from './lab-helpers.ts';

test('connect to /echo, send text and binary, see the events in order and readyState pass through all four states', async ({
  page,
}) => {
  const errors = collectPageErrors(page);
  await connectEcho(page);
  await sendText(page, 'hello');
  await expect(lab(page).getByRole('listbox', { name: 'Event timeline' })).toContainText('message · "hello"');
  await sendHex(page, '01 02 03 ff');
  await expect(lab(page).getByRole('listbox', { name: 'Event timeline' })).toContainText(
    'message · Blob (4 B)',
  );
  await expect
    .poll(() => frameRows(page))
    .toEqual([
      '→ TEXT fin=1 len=5 masked',
      '← TEXT fin=1 len=5 unmasked',
      '→ BINARY fin=1 len=4 masked',
      '← BINARY fin=1 len=4 unmasked',
    ]);

  // Close with 4000 and a reason: the close summary and the timeline show code, name, reason, wasClean.
  await lab(page).getByLabel('code').fill('4000');
  await lab(page).getByRole('textbox', { name: 'reason' }).fill('done here');
  await expect(
    lab(page).locator(
      '#' +
        (await lab(page)
          .getByText(/\d+\/123 B/)
          .getAttribute('id')),
    ),
  ).toHaveText('9/123 B');
  await lab(page).getByRole('button', { name: 'Close', exact: true }).click();
  const summary = lab(page).getByTestId('close-summary');
  await expect(summary).toContainText('4000 Private Use');
  await expect(summary).toContainText('reason "done here" · wasClean true');

  // readyState went through all four states, each with its time, and each was announced.
  for (const state of ['CONNECTING', 'OPEN', 'CLOSING', 'CLOSED']) {
    await expect(lab(page).locator(`li.step.reached[data-state="${state}"]`)).toBeVisible();
  }
  await expect(lab(page).locator('[data-state="CLOSED"][aria-current="step"]')).toBeVisible();
  await expect(page.getByTestId('readystate-announcement')).toContainText('CLOSED');

  // The timeline, in order: the page's calls and events, the handshake, and the close frames the API hides.
  const readTimeline = () =>
    allRows(
      lab(page).getByRole('listbox', { name: 'Event timeline' }),
      (r) => `${r.querySelector('.tag')?.textContent} ${r.querySelector('.text')?.textContent}`,
    );
  const order = [
    // connectEcho turns compression off (?deflate=0), so the frames below show their text.
    /^new new WebSocket\("ws:\/\/127\.0\.0\.1:\d+\/echo\?deflate=0"\)/,
    /^readyState readyState → 0 CONNECTING/,
    // The playground's ?tap= token is hidden (the handshake view shows it on request).
    /^HTTP GET \/echo\?deflate=0 HTTP\/1\.1/,
    /^HTTP HTTP\/1\.1 101 Switching Protocols/,
    /^readyState readyState → 1 OPEN/,
    /^open open · protocol "" · extensions ""/,
    /^send\(\) send\("hello"\)/,
    /^message message · "hello"/,
    /^send\(\) send\(ArrayBuffer \(4 B\) 01 02 03 ff\)/,
    /^message message · Blob \(4 B\)/,
    /^close\(\) close\(4000, "done here"\)/,
    /^readyState readyState → 2 CLOSING/,
    /^CLOSE CLOSE 4000 Private Use "done here" · masked/,
    /^CLOSE CLOSE 4000 Private Use "done here"$/,
  ];
  // The close frames come from the server's tap, a separate socket: they may land a few ms after
  // the API's close event, so wait for the whole sequence rather than reading once.
  let timeline: string[] = [];
  const matched = async (): Promise<number> => {
    timeline = await readTimeline();
    let at = 0;
    for (const line of timeline) if (at < order.length && order[at]!.test(line)) at++;
    return at;
  };
  await expect.poll(matched, { message: 'timeline in order' }).toBe(order.length);
  expect(
    timeline.some((l) => /^close close · 4000 Private Use · reason "done here" · wasClean true/.test(l)),
  ).toBe(true);
  expect(timeline.some((l) => /^readyState readyState → 3 CLOSED/.test(l))).toBe(true);
  expect(errors).toEqual([]);
});

test("the handshake view computes Sec-WebSocket-Accept from this connection's own key", async ({ page }) => {
  await connectEcho(page);
  await inspector(page).getByRole('tab', { name: 'Handshake' }).click();
  const view = inspector(page);
  const key = (await view.getByTestId('accept-key').textContent())!.trim();
  expect(key).toMatch(/^[A-Za-z0-9+/]{22}==$/);
  // The key shown is the one the browser put in its request.
  await expect(view.locator('[data-header="sec-websocket-key"] code.v')).toHaveText(key);
  await expect(view.getByTestId('accept-computed')).toHaveText(accept(key));
  await expect(view.locator('[data-header="sec-websocket-accept"] code.v')).toHaveText(accept(key));
  await expect(view.getByTestId('accept-verdict')).toContainText('the same');
  await expect(view.locator('[data-header="upgrade"]').first()).toContainText('switch this HTTP connection');
});

test('the inspector shows the right fields for a masked client frame and an unmasked server frame', async ({
  page,
}) => {
  await connectEcho(page);
  await sendText(page, 'hello');
  const list = inspector(page).getByRole('listbox', { name: 'Frames' });
  await expect(list.getByRole('option')).toHaveCount(2);

  await list.getByRole('option').nth(0).click();
  const client = await hexOfSelected(page);
  // What the tap reported, read independently: 81 85 key(4) masked payload(5).
  expect(client.slice(0, 2)).toEqual([0x81, 0x85]);
  expect(client).toHaveLength(11);
  const key = client.slice(2, 6);
  const unmasked = String.fromCharCode(...client.slice(6).map((b, i) => b ^ key[i % 4]!));
  expect(unmasked).toBe('hello');
  const hex = (bs: number[]) => bs.map((b) => b.toString(16).padStart(2, '0')).join(' ');
  expect(await fields(page)).toEqual({
    fin: '1',
    rsv1: '0',
    rsv2: '0',
    rsv3: '0',
    opcode: '1',
    mask: '1',
    len7: '5',
    maskKey: hex(key),
    payload: '"hello"',
  });
  // Unmasking byte by byte: wire XOR key = data.
  const unmask = inspector(page).getByRole('region', { name: 'Unmasking, byte by byte' });
  await expect(unmask.locator('tr.plain td')).toHaveText(['68', '65', '6c', '6c', '6f']);

  await list.getByRole('option').nth(1).click();
  expect(await hexOfSelected(page)).toEqual([0x81, 0x05, 0x68, 0x65, 0x6c, 0x6c, 0x6f]);
  expect(await fields(page)).toEqual({
    fin: '1',
    rsv1: '0',
    rsv2: '0',
    rsv3: '0',
    opcode: '1',
    mask: '0',
    len7: '5',
    payload: '"hello"',
  });
  await expect(inspector(page).getByRole('region', { name: 'Unmasking, byte by byte' })).toHaveCount(0);

  // Hovering a field highlights its bits and bytes.
  await inspector(page).getByRole('button', { name: 'Opcode' }).hover();
  await expect(inspector(page).locator('.bit.hl')).toHaveCount(4);
  await expect(inspector(page).getByRole('tooltip')).toContainText('RFC 6455 §5.2');
});

test('a 126-byte message uses the 16-bit length form', async ({ page }) => {
  await connectEcho(page);
  await sendText(page, 'x'.repeat(126));
  const list = inspector(page).getByRole('listbox', { name: 'Frames' });
  await expect(list.getByRole('option')).toHaveCount(2);
  await list.getByRole('option').nth(1).click();
  const bytes = await hexOfSelected(page);
  expect(bytes.slice(0, 4)).toEqual([0x81, 0x7e, 0x00, 0x7e]);
  expect(bytes).toHaveLength(4 + 126);
  expect(await fields(page)).toMatchObject({ len7: '126', len16: '126', mask: '0' });
  await list.getByRole('option').nth(0).click();
  expect(await fields(page)).toMatchObject({ len7: '126', len16: '126', mask: '1' });
});

test('the server closing with /close?code=4000&reason=bye shows the code, name, meaning and reason', async ({
  page,
}) => {
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.goto('./');
  await page.waitForLoadState('networkidle');
  await lab(page).getByRole('button', { name: '/close 4000' }).click();
  await lab(page).getByRole('button', { name: 'Connect', exact: true }).click();
  const summary = lab(page).getByTestId('close-summary');
  await expect(summary).toContainText('4000 Private Use');
  await expect(summary).toContainText('The two endpoints agree on its meaning');
  await expect(summary).toContainText('reason "bye" · wasClean true');
  for (const state of ['CONNECTING', 'OPEN', 'CLOSING', 'CLOSED']) {
    await expect(lab(page).locator(`li.step.reached[data-state="${state}"]`)).toBeVisible();
  }
});

test('invalid URLs and subprotocols get a specific message and cannot connect', async ({ page }) => {
  await page.goto('./');
  await page.waitForLoadState('networkidle');
  const url = lab(page).getByLabel('WebSocket URL');
  await url.fill('http://example.com/socket');
  await expect(
    lab(page).getByText(/http:\/\/ is the page's scheme, not a socket's: use ws:\/\//),
  ).toBeVisible();
  await expect(lab(page).getByRole('button', { name: 'Connect', exact: true })).toBeDisabled();
  await url.fill('ws://example.com/');
  await lab(page).getByLabel('Subprotocols, comma separated').fill('chat, my chat');
  await expect(lab(page).getByText(/"my chat" contains a space/)).toBeVisible();
  await lab(page).getByLabel('Subprotocols, comma separated').fill('superchat, chat');
  await expect(lab(page).getByRole('button', { name: 'Connect', exact: true })).toBeEnabled();
});

test('subprotocol negotiation shows the protocol the server picked', async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.goto('./');
  await page.waitForLoadState('networkidle');
  await lab(page).getByLabel('Subprotocols, comma separated').fill('superchat, chat');
  await lab(page).getByRole('button', { name: 'Connect', exact: true }).click();
  await expect(lab(page).getByTestId('protocol')).toHaveText('superchat');
});

test('several connections side by side, in tabs', async ({ page }) => {
  await connectEcho(page);
  await sendText(page, 'first tab');
  await lab(page).getByRole('button', { name: 'New connection tab' }).click();
  await lab(page).getByRole('button', { name: '/chat' }).click();
  // Uncompressed, so the frames list shows the text (a compressed payload is DEFLATE bytes).
  await lab(page)
    .getByRole('checkbox', { name: /Compression \(permessage-deflate/ })
    .uncheck();
  await lab(page).getByRole('button', { name: 'Connect', exact: true }).click();
  const tabs = lab(page).getByRole('tab');
  await expect(tabs).toHaveCount(2);
  await expect(tabs.nth(1)).toHaveAccessibleName('/chat?deflate=0 , OPEN');
  await sendText(page, 'second tab');
  const list = inspector(page).getByRole('listbox', { name: 'Frames' });
  // The client's frame and the room's broadcast of it (the chat may greet first).
  await expect(list.getByRole('option').filter({ hasText: '"second tab"' })).toHaveCount(2);
  await expect(list.getByRole('option').filter({ hasText: '"first tab"' })).toHaveCount(0);
  // The first tab kept its connection, its URL and its frames.
  await tabs.nth(0).click();
  await expect(tabs.nth(0)).toHaveAttribute('aria-selected', 'true');
  await expect(tabs.nth(0)).toHaveAccessibleName('/echo?deflate=0 , OPEN');
  await expect(lab(page).getByLabel('WebSocket URL')).toHaveValue(/\/echo\?deflate=0$/);
  await expect(list.getByRole('option').filter({ hasText: '"first tab"' })).toHaveCount(2);
  // Arrow keys move between tabs.
  await tabs.nth(0).press('ArrowRight');
  await expect(tabs.nth(1)).toBeFocused();
  await expect(tabs.nth(1)).toHaveAttribute('aria-selected', 'true');
});
