/**
 * The sandbox sealed, on a static host: every socket runs on the in-page virtual network, so
 * the page's own limits are all there is between learner code and the tab.
 */
import { expect, test } from '@playwright/test';
import { consoleLog, openCode, run, setCode } from './code-helpers.ts';
import { lab } from './lab-helpers.ts';

test.describe.configure({ timeout: 90_000 });

test('on the loopback, 300 sockets to /echo open and echo; the lab gets 8 tabs and the page stays responsive', async ({
  page,
}) => {
  await openCode(page);
  await setCode(
    page,
    [
      'let echoed = 0;',
      'for (let i = 0; i < 300; i++) {',
      "  const ws = new WebSocket('echo');",
      '  ws.onopen = () => ws.send(`n${i}`);',
      "  ws.onmessage = () => { if (++echoed === 300) console.log('300 echoes'); };",
      '}',
    ].join('\n'),
  );
  const before = await lab(page).getByRole('tab').count();
  await run(page);
  await expect(consoleLog(page)).toContainText('sockets: the in-page virtual network');
  await expect(consoleLog(page)).toContainText('300 echoes', { timeout: 30_000 });
  await expect(consoleLog(page)).toContainText('the lab shows the first 8 as tabs');
  await expect(lab(page).getByRole('tab')).toHaveCount(before + 8);
  const t = Date.now();
  await page.evaluate(() => new Promise((r) => setTimeout(r, 0)));
  expect(Date.now() - t).toBeLessThan(1000);
});

test('on the loopback, a server with acceptKey and fin: false works as in server mode', async ({ page }) => {
  await openCode(page);
  await setCode(
    page,
    [
      "const { WebSocketServer } = require('ws');",
      'new WebSocketServer({ port: 8402, acceptKey: (key) => btoa(key) }, () => {',
      "  const ws = new WebSocket('ws://localhost:8402');",
      "  ws.onerror = () => console.log('wrong accept: refused');",
      '});',
      'const good = new WebSocketServer({ port: 8403 }, () => {',
      "  const ws = new WebSocket('ws://localhost:8403');",
      "  ws.onmessage = (e) => console.log('one message:', e.data);",
      '});',
      "good.on('connection', (s) => { s.send('a', { fin: false }); s.send('b', { fin: false }); s.send('c'); });",
    ].join('\n'),
  );
  await run(page);
  await expect(consoleLog(page)).toContainText('wrong accept: refused');
  await expect(consoleLog(page)).toContainText('one message: abc');
});
