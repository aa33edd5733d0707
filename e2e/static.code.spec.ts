import { expect, test } from '@playwright/test';
import { consoleLog, openCode, pickSnippet, run } from './code-helpers.ts';

test.describe.configure({ timeout: 90_000 }); // Monaco loads into a fresh page

test('the same client snippet runs on a static host, over the in-page virtual network', async ({ page }) => {
  // A static host has no WebSocket server: refuse every upgrade to this origin, as it would.
  await page.routeWebSocket(/^wss?:\/\/127\.0\.0\.1/, (ws) =>
    ws.close({ code: 1006 }).catch(() => undefined),
  );
  await openCode(page);
  await pickSnippet(page, 'Connect and log events');
  await run(page);
  const log = consoleLog(page);
  await expect(log).toContainText('sockets: the in-page virtual network');
  await expect(log).toContainText('message: hello, echo');
  await expect(log).toContainText('close: code 1000, reason "done", wasClean true');
});
