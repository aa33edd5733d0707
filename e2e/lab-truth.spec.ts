/**
 * What the lab shows must match the wire (issue 13), in server mode: sockets opened by code
 * through the `ws` package's API, Stop, and the order of a connection's events.
 */
import { expect, test } from '@playwright/test';
import { consoleLog, openCode, pickSnippet, run, setCode } from './code-helpers.ts';
import { connectEcho, inspector, lab } from './lab-helpers.ts';

test.describe.configure({ timeout: 90_000 });

const WS_CLIENT = `import WebSocket from 'ws';
const ws = new WebSocket('ws://localhost:8080');
ws.on('open', () => { console.log('opened'); ws.send('hello'); });
ws.on('message', (d) => { console.log('got', d.toString()); ws.close(1000, 'done'); });
ws.on('close', (code) => console.log('closed', code));
`;

test("a socket opened through the ws package's API goes OPEN then CLOSED in the lab, as its console says", async ({
  page,
}) => {
  await openCode(page);
  await pickSnippet(page, 'Chat server');
  await run(page);
  await expect(consoleLog(page)).toContainText('chat server on ws://localhost:8080');
  await pickSnippet(page, 'Chat client');
  await setCode(page, WS_CLIENT);
  await run(page);
  await expect(consoleLog(page)).toContainText('closed 1000');

  const l = lab(page);
  await l.getByRole('tab', { name: /Chat client · localhost:8080/ }).click();
  const track = l.getByRole('group', { name: 'readyState' });
  await expect(track.locator('[data-state="OPEN"].reached')).toBeVisible();
  await expect(track.locator('[data-state="CLOSED"][aria-current="step"]')).toBeVisible();
  await expect(l.getByTestId('close-summary')).toContainText('1000 Normal Closure');
  await expect(l.getByTestId('close-summary')).toContainText('wasClean true');
  await expect(l.getByRole('button', { name: 'Connect', exact: true })).toBeVisible();
  // The page's view has the message and the send, as for a browser-API socket.
  await expect(l.getByRole('listbox', { name: 'Event timeline' })).toContainText('"hello"');
  await expect(inspector(page)).toContainText('Chat client · localhost:8080');
});

test('after Stop, the lab reports the close the wire shows (the browser closes with 1001), not a 1006 guess', async ({
  page,
}) => {
  await openCode(page);
  await pickSnippet(page, 'Chat client');
  await setCode(page, `const ws = new WebSocket('/echo');\nws.onopen = () => console.log('opened');\n`);
  await run(page);
  await expect(consoleLog(page)).toContainText('opened');
  const l = lab(page);
  await l.getByRole('tab', { name: /Chat client · \/echo/ }).click();
  await expect(l.locator('[data-state="OPEN"][aria-current="step"]')).toBeVisible();
  await page.locator('#panel-code').getByRole('button', { name: /Stop/ }).click();
  await expect(l.getByTestId('close-summary')).toContainText('1001 Going Away');
  await expect(l.getByTestId('close-summary')).toContainText('wasClean true');
  await expect(l).toContainText('the browser closed the socket itself with 1001');
  // The wire agrees: a CLOSE 1001 each way.
  await expect(l.getByRole('listbox', { name: 'Event timeline' })).toContainText(/CLOSE.*1001/);
});

/** The events column's tags, top to bottom. */
async function timelineTags(page: import('@playwright/test').Page): Promise<string[]> {
  return lab(page).getByRole('listbox', { name: 'Event timeline' }).locator('.tag').allTextContents();
}

for (const [what, open] of [
  ['the lab', async (page: import('@playwright/test').Page) => connectEcho(page, '/heartbeat')],
  [
    'code',
    async (page: import('@playwright/test').Page) => {
      await openCode(page);
      await pickSnippet(page, 'Chat client');
      await setCode(
        page,
        `const ws = new WebSocket('/heartbeat');\nws.onopen = () => console.log('opened');\n`,
      );
      await run(page);
      await lab(page)
        .getByRole('tab', { name: /Chat client · \/heartbeat/ })
        .click();
    },
  ],
] as const) {
  test(`a /heartbeat socket opened by ${what} shows new, the handshake, open, then the first PING, in that order`, async ({
    page,
  }) => {
    await open(page);
    await expect(lab(page).getByRole('listbox', { name: 'Event timeline' })).toContainText('PONG', {
      timeout: 15_000,
    });
    const tags = await timelineTags(page);
    const at = (tag: string): number => tags.indexOf(tag);
    expect(at('new')).toBe(0);
    expect(tags.slice(1, 5).filter((t) => t === 'HTTP')).toHaveLength(2);
    expect(at('open')).toBeGreaterThan(tags.lastIndexOf('HTTP'));
    expect(at('PING')).toBeGreaterThan(at('open'));
    expect(at('PONG')).toBeGreaterThan(at('PING'));
  });
}

test('"why 1?" tells the truth: Chromium splits a big message into frames of about 128 KiB, as the frame list shows', async ({
  page,
}) => {
  await connectEcho(page);
  const l = lab(page);
  await l.locator('label:has(input[value="text"])').click();
  await l.getByLabel('Text message').fill('x'.repeat(300 * 1024));
  await l.getByRole('button', { name: 'Send', exact: true }).click();
  const frames = inspector(page).getByRole('listbox', { name: 'Frames' });
  // 300 KiB from the browser: a TEXT frame without FIN, then continuation frames.
  await expect(frames.getByRole('option').filter({ hasText: 'CONT' }).first()).toBeVisible();
  await l.getByRole('button', { name: 'why 1?' }).click();
  await expect(l).toContainText(
    'splits a bigger one into a first frame and continuation (CONT) frames of about 128 KiB',
  );
  await expect(l).not.toContainText('always sends a message as a single frame');
});

test('import: a bad file says why; Connect on an imported tab keeps the import and opens a tab of its own', async ({
  page,
}) => {
  await connectEcho(page);
  const l = lab(page);
  const file = l.getByLabel('Import a session file');
  await file.setInputFiles({
    name: 'broken.json',
    mimeType: 'application/json',
    buffer: Buffer.from('{"nope": 1'),
  });
  await expect(l.getByTestId('import-message')).toContainText('broken.json was not imported');

  // A HAR with one message each way: imported, its messages are not "hidden from the API".
  const har = {
    log: {
      version: '1.2',
      entries: [
        {
          request: { method: 'GET', url: 'ws://example.test/echo', headers: [] },
          response: { status: 101, headers: [] },
          _webSocketMessages: [
            { type: 'send', time: 1, opcode: 1, data: 'hi' },
            { type: 'receive', time: 1.001, opcode: 1, data: 'hi' },
          ],
        },
      ],
    },
  };
  await file.setInputFiles({
    name: 'two.har',
    mimeType: 'application/json',
    buffer: Buffer.from(JSON.stringify(har)),
  });
  await expect(l.getByTestId('import-message')).toContainText('Imported two.har: 1 connection, 2 frames.');
  const events = l.getByRole('listbox', { name: 'Event timeline' });
  await expect(events).toContainText('TEXT');
  await expect(events).not.toContainText('hidden from the API');
  const tabs = l.getByRole('tab');
  const before = await tabs.count();
  await l
    .getByRole('textbox', { name: 'WebSocket URL' })
    .fill(await page.evaluate(() => `ws://${location.host}/echo`));
  await l.getByRole('button', { name: 'Connect', exact: true }).click();
  await expect(tabs).toHaveCount(before + 1);
  await expect(l.locator('[data-state="OPEN"][aria-current="step"]')).toBeVisible();
  await l.getByRole('tab', { name: /imported/ }).click();
  await expect(events).toContainText('TEXT');
});

test("a learner's own server (another host) is labelled as what carries it: the browser, straight there, with why no frames show", async ({
  page,
}) => {
  await connectEcho(page);
  const l = lab(page);
  await l.getByRole('button', { name: 'New connection tab' }).click();
  const own = await page.evaluate(() => `ws://localhost:${location.port}/echo`);
  await l.getByRole('textbox', { name: 'WebSocket URL' }).fill(own);
  await l.getByRole('button', { name: 'Connect', exact: true }).click();
  const via = l.getByTestId('via');
  await expect(via).toHaveAttribute('data-source', 'direct');
  await expect(via).toContainText(`browser → ${new URL(own).host}`);
  await expect(via).not.toContainText('Node server');
  await expect(via).toHaveAttribute('title', /no tap and no frames/);
  await expect(l).toContainText('is not the playground');
});

test('a client that reconnects again and again keeps one lab tab, which shows its latest connection', async ({
  page,
}) => {
  await openCode(page);
  const l = lab(page);
  const before = await l.getByRole('tab').count();
  await pickSnippet(page, 'Chat client');
  await setCode(
    page,
    "let n = 0; const connect = () => { const ws = new WebSocket('/echo'); ws.onopen = () => ws.close(1000); ws.onclose = () => { n++; console.log('closed', n); if (n < 4) connect(); }; }; connect();\n",
  );
  await run(page);
  await expect(consoleLog(page)).toContainText('closed 4');
  await expect(l.getByRole('tab')).toHaveCount(before + 1);
  await expect(l.getByRole('tab', { name: /Chat client · \/echo \(connection 4\)/ })).toBeVisible();
});
