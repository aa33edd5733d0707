import { expect, test } from '@playwright/test';
import {
  codeFold,
  codePanel,
  consoleLines,
  consoleLog,
  editorText,
  openCode,
  pickSnippet,
  run,
  setCode,
  showRun,
} from './code-helpers.ts';

// Each test loads Monaco (3 MB with its TypeScript worker) into a fresh page: give it time.
test.describe.configure({ timeout: 90_000 });

test('the chat server and two chat clients from the snippets broadcast to both, and the inspector shows the frames', async ({
  page,
}) => {
  await openCode(page);
  await pickSnippet(page, 'Chat server');
  await run(page);
  await expect(consoleLog(page)).toContainText('chat server on ws://localhost:8080');

  await pickSnippet(page, 'Chat client');
  await run(page);
  await showRun(page, /^Chat client$/);
  await expect(consoleLog(page)).toContainText(/joined as guest-\d+/);
  const first = (await consoleLines(page)).join('\n').match(/joined as (guest-\d+)/)![1]!;

  await run(page, true);
  await showRun(page, /Chat client #2/);
  await expect(consoleLog(page)).toContainText(/joined as guest-\d+/);
  const second = (await consoleLines(page)).join('\n').match(/joined as (guest-\d+)/)![1]!;
  // The second client's hello reaches both consoles: as "me" here, by name in the first.
  await expect(consoleLog(page)).toContainText('me: hello, everyone');
  await showRun(page, /^Chat client$/);
  await expect(consoleLog(page)).toContainText(`${second}: hello, everyone`);
  await expect(consoleLog(page)).toContainText('me: hello, everyone');
  await showRun(page, /Chat server/);
  await expect(consoleLog(page)).toContainText('someone joined (2 online)');

  // Every socket the code opened is a lab tab; the inspector shows the selected one's frames.
  // A name as a whole (guest-12 is not in guest-123).
  const named = (name: string): RegExp => new RegExp(`${name}(?!\\d)`);
  const lab = page.getByRole('region', { name: 'Connection lab' });
  const inspector = page.getByRole('region', { name: 'Frame inspector' });
  // The first client was there for both hellos: its own, sent (masked) and relayed back, and
  // the second client's, relayed to it.
  await lab.getByRole('tab', { name: /Chat client · localhost:8080/ }).click();
  await expect(inspector).toContainText('Chat client · localhost:8080');
  await expect(inspector).toContainText(named(first));
  await expect(inspector).toContainText(named(second));
  // The second joined after the first had said hello (the server relays, it keeps no history):
  // its socket carried only its own hello, sent and relayed back.
  await expect(lab.getByRole('tab', { name: /Chat client #2 · localhost:8080/ })).toBeVisible();
  await lab.getByRole('tab', { name: /Chat client #2 · localhost:8080/ }).click();
  await expect(inspector).toContainText('Chat client #2 · localhost:8080');
  await expect(inspector).toContainText(named(second));
  await expect(inspector).not.toContainText(named(first));
});

test('the heartbeat server terminates a client that stops answering pings', async ({ page }) => {
  await openCode(page);
  await pickSnippet(page, 'Heartbeat (server)');
  await run(page);
  // The first run on a cold dev server waits for Vite to compile the sandbox: allow for it.
  await expect(consoleLog(page)).toContainText('heartbeat server on ws://localhost:8080', {
    timeout: 15_000,
  });
  await pickSnippet(page, 'A peer that stops answering');
  await run(page);
  await expect(consoleLog(page)).toContainText('connected; pings will go unanswered');
  await expect(consoleLog(page)).toContainText('ping received (not answering)');
  await expect(consoleLog(page)).toContainText('connection closed with code 1006', { timeout: 10_000 });
  await showRun(page, /Heartbeat \(server\)/);
  await expect(consoleLog(page)).toContainText('no pong since the last ping: terminating');
  await expect(consoleLog(page)).toContainText('client gone, code 1006');
});

test('a while (true) {} is stopped by the watchdog and the page stays usable', async ({ page }) => {
  await openCode(page);
  await setCode(page, "console.log('spinning');\nwhile (true) {}\n");
  await run(page);
  await expect(consoleLog(page)).toContainText('spinning');
  await expect(consoleLog(page)).toContainText('without ever yielding', { timeout: 10_000 });
  await expect(page.locator('iframe[data-sandbox]')).toHaveCount(0);
  await expect(codePanel(page).getByRole('tab', { name: /Connect and log events/ })).toHaveAttribute(
    'title',
    /endless loop/,
  );
  // The page still answers: the editor takes input and a new run prints.
  await setCode(page, "console.log('alive again');\n");
  await run(page);
  await expect(consoleLog(page)).toContainText('alive again');
});

test('sandboxed code cannot read the app origin, its storage or its DOM', async ({ page }) => {
  await openCode(page);
  await page.evaluate(() => localStorage.setItem('wsp.secret', 'the-app-secret'));
  await setCode(
    page,
    [
      "const tryIt = (name, fn) => { try { console.log(name, '=>', String(fn())); } catch (e) { console.log(name, '=> blocked:', e.name); } };",
      "tryIt('origin', () => self.origin);",
      "tryIt('localStorage', () => localStorage.getItem('wsp.secret'));",
      "tryIt('document', () => document.cookie);",
      "tryIt('parent', () => parent.document);",
      "tryIt('indexedDB', () => indexedDB.open('x'));",
      "fetch('/').then(() => console.log('fetch => allowed'), (e) => console.log('fetch => blocked:', e.name));",
    ].join('\n'),
  );
  await run(page);
  const log = consoleLog(page);
  await expect(log).toContainText('fetch =>');
  await expect(log).toContainText('origin => null');
  await expect(log).toContainText('localStorage => blocked: ReferenceError');
  await expect(log).toContainText('document => blocked: ReferenceError');
  await expect(log).toContainText('parent => blocked: ReferenceError');
  await expect(log).toContainText('indexedDB => blocked: SecurityError');
  await expect(log).toContainText('fetch => blocked: TypeError');
  await expect(log).not.toContainText('the-app-secret');
});

test("the sandbox's WebSocket applies the standard's argument rules, as LoopbackWebSocket does", async ({
  page,
}) => {
  await openCode(page);
  await setCode(
    page,
    [
      "const tryIt = (name, fn) => { try { fn(); console.log(name, '=> accepted'); } catch (e) { console.log(name, '=>', e.name); } };",
      // A learner server: its clients are bridged to the page in both modes.
      "const { WebSocketServer } = require('ws');",
      'new WebSocketServer({ port: 8080 }, () => {',
      "  tryIt('space in host', () => new WebSocket('ws://foo bar.com/'));",
      "  tryIt('empty fragment', () => new WebSocket('ws://localhost:8080/#'));",
      "  tryIt('chat and CHAT', () => new WebSocket('ws://localhost:8080/', ['chat', 'CHAT']));",
      "  const ws = new WebSocket('ws://localhost:8080/');",
      "  ws.onopen = () => tryIt('close 2999.6', () => ws.close(2999.6));",
      "  ws.onclose = (e) => console.log('closed', e.code);",
      '});',
    ].join('\n'),
  );
  await run(page);
  const log = consoleLog(page);
  await expect(log).toContainText('closed 3000');
  await expect(log).toContainText('space in host => SyntaxError');
  await expect(log).toContainText('empty fragment => SyntaxError');
  await expect(log).toContainText('chat and CHAT => SyntaxError');
  await expect(log).toContainText('close 2999.6 => accepted');
});

test('uncaught errors name the editor line they come from', async ({ page }) => {
  await openCode(page);
  await setCode(page, "console.log('first');\n\nsetTimeout(() => {\n  null.boom;\n}, 10);\n");
  await run(page);
  await expect(consoleLog(page)).toContainText(
    "Uncaught TypeError: Cannot read properties of null (reading 'boom')",
  );
  await expect(consoleLog(page)).toContainText('(line 4)');
  // ... and the editor marks that line.
  await expect(codePanel(page).locator('.squiggly-error').first()).toBeVisible();
});

test('an edited snippet survives a reload, and Reset brings back the original', async ({ page }) => {
  await openCode(page);
  await pickSnippet(page, 'Send and close');
  await setCode(page, "// my own version\nconsole.log('edited');\n");
  await expect(codePanel(page).getByRole('combobox', { name: 'Snippet' })).toContainText(
    'Send and close • edited',
  );
  await page.waitForTimeout(500); // past the save delay
  await openCode(page, './');
  await pickSnippet(page, 'Send and close');
  await expect.poll(() => editorText(page)).toContain('// my own version');
  await codePanel(page).getByRole('button', { name: 'Reset' }).click();
  await expect.poll(() => editorText(page)).toContain('Send a few messages, then close');
  await openCode(page, './');
  await pickSnippet(page, 'Send and close');
  await expect.poll(() => editorText(page)).toContain('Send a few messages, then close');
});

test('a snippet switches to TypeScript, runs typed code, keeps the choice over a reload, and converts back', async ({
  page,
}) => {
  await openCode(page);
  await pickSnippet(page, 'Send and close');
  const language = codePanel(page).getByRole('group', { name: 'Language' });
  await expect(language.getByRole('button', { name: 'JS' })).toHaveAttribute('aria-pressed', 'true');
  await language.getByRole('button', { name: 'TS' }).click();
  await expect(language.getByRole('button', { name: 'TS' })).toHaveAttribute('aria-pressed', 'true');
  // The editor shows the same code, now as TypeScript.
  await expect.poll(() => editorText(page)).toContain('Send a few messages, then close');
  const typed =
    'type Greeting = { text: string };\nconst hello: Greeting = { text: "typed hello" };\nconsole.log(hello.text);\n';
  await setCode(page, typed);
  await run(page);
  // The first TypeScript run starts the compiler's worker (slow on a dev server): it says so.
  await expect(consoleLog(page)).toContainText('compiling TypeScript');
  await expect(consoleLog(page)).toContainText('typed hello', { timeout: 30_000 });

  // The choice and the code survive a reload.
  await page.waitForTimeout(500); // past the save delay
  await openCode(page, './');
  await pickSnippet(page, 'Send and close');
  await expect(language.getByRole('button', { name: 'TS' })).toHaveAttribute('aria-pressed', 'true');
  await expect.poll(() => editorText(page)).toContain('const hello: Greeting');

  // Back to JavaScript: the compiler removes the types, and says so; the code still runs.
  await language.getByRole('button', { name: 'JS' }).click();
  await expect(codePanel(page).getByRole('status')).toContainText('removes the types');
  await expect(codePanel(page).getByRole('status')).toContainText('removed the types', { timeout: 30_000 });
  await expect.poll(() => editorText(page)).toContain('const hello = { text: "typed hello" };');
  expect(await editorText(page)).not.toContain('type Greeting');
  await run(page);
  await expect(consoleLog(page)).toContainText('typed hello');

  // Reset brings back the snippet as shipped, in its own language.
  await codePanel(page).getByRole('button', { name: 'Reset' }).click();
  await expect(language.getByRole('button', { name: 'JS' })).toHaveAttribute('aria-pressed', 'true');
  await expect.poll(() => editorText(page)).toContain('Send a few messages, then close');
});

test('a share link opens the same code elsewhere; a damaged one says so and changes nothing', async ({
  page,
  browser,
}) => {
  await openCode(page);
  await pickSnippet(page, 'Binary data and binaryType');
  await setCode(page, "// shared with a friend\nconsole.log('from the link');\n");
  await codePanel(page).getByRole('button', { name: 'Share' }).click();
  const link = await codePanel(page).getByRole('textbox', { name: 'Share link' }).inputValue();
  expect(link).toMatch(/#code=1\./);

  const friend = await (await browser.newContext()).newPage();
  await friend.goto(link);
  // A share link unfolds the code area by itself.
  await expect(codeFold(friend)).toHaveAttribute('aria-expanded', 'true');
  await openCode(friend, '');
  await expect(codePanel(friend).getByRole('combobox', { name: 'Snippet' })).toHaveValue('shared');
  await expect.poll(() => editorText(friend)).toContain('// shared with a friend');
  await expect(codePanel(friend).getByRole('status')).toContainText('Opened the shared code');
  await run(friend);
  await expect(consoleLog(friend)).toContainText('from the link');

  const damaged = link.slice(0, link.length - 12);
  const other = await (await browser.newContext()).newPage();
  await other.goto(damaged);
  // ... a damaged one too, to say what went wrong.
  await expect(codeFold(other)).toHaveAttribute('aria-expanded', 'true');
  await openCode(other, '');
  await expect(codePanel(other).getByRole('alert')).toContainText('This share link is damaged');
  await expect(codePanel(other).getByRole('combobox', { name: 'Snippet' })).not.toContainText('Shared:');
});

test("the same client snippet runs in server mode with the browser's own WebSocket, its bytes tapped", async ({
  page,
}) => {
  await openCode(page);
  await pickSnippet(page, 'Connect and log events');
  await run(page);
  const log = consoleLog(page);
  await expect(log).toContainText("sockets: the browser's WebSocket to the dev server");
  await expect(log).toContainText('message: hello, echo');
  await expect(log).toContainText('close: code 1000, reason "done", wasClean true');
  // The Node server's tap shows the frames, masked by this browser, in the inspector.
  const lab = page.getByRole('region', { name: 'Connection lab' });
  await lab.getByRole('tab', { name: /Connect and log events · \/echo/ }).click();
  const inspector = page.getByRole('region', { name: 'Frame inspector' });
  // Chromium offers permessage-deflate and /echo accepts it: the line shows the inflated text.
  await expect(inspector).toContainText(/TEXT deflated \d+ B → \d+ B: "hello, echo"/);
  await expect(inspector).toContainText('masked');
  await expect(inspector).toContainText('CLOSE 1000');
});
