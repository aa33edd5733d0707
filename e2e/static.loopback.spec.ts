/**
 * The static build (dist/ under /playground/, as a static host serves it): the loopback works
 * with no server behind the page. The harness is injected as a script (the page's own bundle
 * does not expose the loopback); it connects to the page's own host, so routing under the
 * sub-path is exercised too.
 */
import { expect, test, type Page } from '@playwright/test';
import { harnessBundle } from './behaviour/bundle.ts';
import { SCENARIOS } from './behaviour/scenarios.ts';

async function openWithHarness(page: Page): Promise<void> {
  await page.goto('./');
  await page.addScriptTag({ content: await harnessBundle() });
  await page.waitForFunction(() => window.__wspBehaviour !== undefined);
}

test("on the static build, a loopback socket to the page's own host connects, echoes, and its frames can be seen", async ({
  page,
  baseURL,
}) => {
  await openWithHarness(page);
  // deflate=0: the frames' bytes below are the text as sent (permessage-deflate would compress it).
  const echoUrl = new URL('echo?deflate=0', baseURL).href.replace(/^http/, 'ws');
  expect(echoUrl).toMatch(/\/playground\/echo\?deflate=0$/);
  const result = await page.evaluate((url) => window.__wspBehaviour!.loopbackWire(url), echoUrl);
  expect(result.data).toEqual(['hello wire']);
  expect(result.events).toEqual([
    'handshake client GET /playground/echo?deflate=0 HTTP/1.1',
    'handshake server HTTP/1.1 101 Switching Protocols',
    'state OPEN',
    // FIN + text opcode, then MASK bit + length 10: the client's frame is masked (4-byte key)
    'frame client 81 8a (16 bytes)',
    // the server's answer is not masked
    'frame server 81 0a (12 bytes)',
    // close 1000 'done': 2 + 4 bytes of payload, masked; then the server's echo of it
    'frame client 88 86 (12 bytes)',
    'frame server 88 06 (8 bytes)',
    'close 1000 done true',
    'state CLOSED',
    'eof',
    'eof',
  ]);
});

test('on the static build, mode detection picks the server exactly when a native WebSocket opens', async ({
  page,
}) => {
  await openWithHarness(page);
  const { detected, nativeOpens } = await page.evaluate(() => window.__wspBehaviour!.detectMode());
  expect(detected).toBe(nativeOpens ? 'server' : 'loopback');
});

for (const scenario of SCENARIOS) {
  test(`static build, LoopbackWebSocket: ${scenario.name}`, async ({ page }) => {
    await openWithHarness(page);
    const trace = await page.evaluate(
      (name) => window.__wspBehaviour!.runScenario(name, { kind: 'loopback' }),
      scenario.name,
    );
    expect(trace).toEqual(scenario.expected);
  });
}
