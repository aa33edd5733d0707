/**
 * permessage-deflate (RFC 7692) with Chromium's own WebSocket against our server: it offers
 * the extension, our server accepts it, the tap shows RSV1 frames both ways, and the inspector
 * shows the compressed bytes beside the inflated text.
 */
import { constants, inflateRawSync } from 'node:zlib';
import { expect, test } from '@playwright/test';
import { startStandalone, type Standalone } from '../app/server/standalone.ts';
import { connectEcho, inspector, sendText } from './lab-helpers.ts';

test.describe('Chromium native against our standalone server', () => {
  let server: Standalone;
  test.beforeEach(async () => {
    server = await startStandalone({
      host: '127.0.0.1',
      port: 0,
      root: '/nonexistent-e2e-root',
      closeTimeout: 1_000,
    });
  });
  test.afterEach(async () => {
    await server.stop();
  });

  test('negotiates permessage-deflate; the tap shows RSV1 frames whose payloads inflate to the text', async ({
    page,
  }) => {
    await page.goto(server.httpUrl);
    const text = 'compressed by Chromium, compressed by Chromium, compressed by Chromium';
    const result = await page.evaluate(
      async ({ url, text }) => {
        const token = 'deflate_e2e_token_0123456789';
        const events: Array<{ kind: string; from?: string; bytes?: string; text?: string }> = [];
        const tap = new WebSocket(`${url}/__tap?token=${token}`);
        tap.addEventListener('message', (e) => events.push(JSON.parse(e.data as string)));
        await new Promise((r) => tap.addEventListener('open', r, { once: true }));
        const ws = new WebSocket(`${url}/echo?tap=${token}`);
        await new Promise((r) => ws.addEventListener('open', r, { once: true }));
        const extensions = ws.extensions;
        ws.send(text);
        const echo = await new Promise<string>((r) =>
          ws.addEventListener('message', (e) => r(e.data as string), { once: true }),
        );
        ws.close(1000);
        await new Promise((r) => ws.addEventListener('close', r, { once: true }));
        await new Promise((r) => setTimeout(r, 200));
        tap.close();
        return { extensions, echo, events };
      },
      { url: `ws://127.0.0.1:${server.port}`, text },
    );
    expect(result.extensions).toBe('permessage-deflate');
    expect(result.echo).toBe(text);
    const request = result.events.find((e) => e.kind === 'handshake' && e.from === 'client')?.text ?? '';
    expect(request).toMatch(/Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n/i);
    const frames = result.events
      .filter((e) => e.kind === 'frame')
      .map((e) => ({ from: e.from, bytes: Buffer.from(e.bytes!, 'base64') }));
    const data = frames.filter((f) => (f.bytes[0]! & 0x0f) === 1);
    // 0xC1: FIN, RSV1, text (RFC 7692 §6), both directions.
    expect(data.map((f) => [f.from, f.bytes[0]])).toEqual([
      ['client', 0xc1],
      ['server', 0xc1],
    ]);
    // The server's frame (unmasked): payload + 00 00 ff ff inflates to the text (7.2.2).
    const s = data[1]!.bytes;
    const payload = Buffer.concat([s.subarray(2), Buffer.from([0, 0, 0xff, 0xff])]);
    expect(inflateRawSync(payload, { finishFlush: constants.Z_SYNC_FLUSH }).toString()).toBe(text);
    // Control frames are never compressed: the Close frames have RSV1 clear.
    expect(frames.filter((f) => (f.bytes[0]! & 0x0f) === 8).every((f) => (f.bytes[0]! & 0x40) === 0)).toBe(
      true,
    );
  });
});

test('the inspector explains a compressed frame: RSV1, compressed beside inflated, the ratio, the context', async ({
  page,
}) => {
  await connectEcho(page, '/echo', { deflate: true });
  const text = 'hello hello hello hello hello hello hello hello';
  await sendText(page, text);
  await sendText(page, text);
  const frames = inspector(page).getByRole('listbox', { name: 'Frames' }).getByRole('option');
  await expect(frames).toHaveCount(4);
  await frames.nth(3).click();
  const box = inspector(page).getByTestId('deflate');
  await expect(box).toContainText('RSV1 = 1: permessage-deflate');
  await expect(box.getByTestId('deflate-figures')).toContainText(`${text.length} B inflated`);
  await expect(box.getByTestId('context')).toContainText('context kept');
  await expect(box).toContainText(text);
  // For review at 1280x720, both themes (kept with the test's output).
  await box.scrollIntoViewIfNeeded();
  await page.screenshot({ path: test.info().outputPath('deflate-light.png') });
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.screenshot({ path: test.info().outputPath('deflate-dark.png') });
  await page.emulateMedia({ colorScheme: 'light' });
  await frames.nth(1).click();
  await expect(inspector(page).getByTestId('deflate').getByTestId('context')).toContainText(
    'first compressed message',
  );
  // The handshake view explains the offer and the answer.
  await inspector(page)
    .getByRole('tab', { name: /Handshake/ })
    .click();
  await expect(inspector(page).getByTestId('extension-offer')).toContainText('client_max_window_bits');
  await expect(inspector(page).getByTestId('extension-answer')).toContainText('Accepted');
});
