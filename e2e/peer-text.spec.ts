/**
 * Hostile text from a chat peer: it may neither act on the console's terminal (C0, ESC, C1
 * controls, OSC 8 links) nor reorder what the page shows around it (bidi overrides).
 */
import { expect, test, type Locator } from '@playwright/test';
import WebSocket from 'ws';
import { codePanel, consoleLog, openCode, run, setCode } from './code-helpers.ts';
import { connectEcho, inspector, lab } from './lab-helpers.ts';

test.describe.configure({ timeout: 90_000 });

/**
 * Longer than the chat keeps in its history (CHAT_HISTORY_MAX_BYTES, counted as 3 bytes a
 * character): other tests' /chat sockets never get these messages replayed.
 */
const PAD = ' '.repeat(1400);

/** A chat member outside the page, on the dev server's /chat. */
async function chatPeer(baseURL: string): Promise<WebSocket> {
  const ws = new WebSocket(`${baseURL.replace(/^http/, 'ws')}chat`);
  await new Promise((resolve, reject) => {
    ws.once('open', resolve);
    ws.once('error', reject);
  });
  return ws;
}

/**
 * The left edge, on screen, of the first character of each of `parts`, found one after the
 * other in the element's text (in logical order): increasing when the line reads as written.
 */
function lefts(scope: Locator, parts: string[]): Promise<number[]> {
  return scope.evaluate((el, parts) => {
    const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
    const nodes: Text[] = [];
    const starts: number[] = [];
    let all = '';
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      starts.push(all.length);
      nodes.push(n as Text);
      all += (n as Text).data;
    }
    let from = 0;
    return parts.map((p) => {
      const i = all.indexOf(p, from);
      if (i < 0) throw new Error(`"${p}" not in "${all}"`);
      from = i + p.length;
      let k = starts.length - 1;
      while (starts[k]! > i) k--;
      const range = document.createRange();
      range.setStart(nodes[k]!, i - starts[k]!);
      range.setEnd(nodes[k]!, i - starts[k]! + 1);
      return range.getBoundingClientRect().left;
    });
  }, parts);
}

const increasing = (xs: number[]): boolean => xs.every((x, i) => i === 0 || x > xs[i - 1]!);

test('a bidi override from a chat peer reverses nothing around it: frame list, events and close panel', async ({
  page,
  baseURL,
}) => {
  await connectEcho(page, '/chat');
  const peer = await chatPeer(baseURL!);
  try {
    const message = `invoice\u202Efdp.exe${PAD}`;
    peer.send(message);
    // The frame list: the row's size stays after the text and reads "1.4 KiB", not "BiK 4.1".
    const row = inspector(page)
      .getByRole('listbox', { name: 'Frames' })
      .getByRole('option')
      .filter({ hasText: 'invoice' })
      .first();
    await expect(row).toBeVisible();
    expect(increasing(await lefts(row.locator('.c-sum'), ['TEXT', 'invoice', 'fdp', '1', '.4', 'KiB']))).toBe(
      true,
    );

    // ...and the override itself is shown by its code.
    await expect(row).toContainText('invoice\\u202efdp.exe');

    // The events list: the message line reads in order.
    const events = lab(page).getByRole('listbox', { name: 'Event timeline' });
    const line = events.getByRole('option').filter({ hasText: 'invoice' }).first();
    await expect(line).toBeVisible();
    expect(increasing(await lefts(line, ['message', 'invoice', 'fdp', 'exe']))).toBe(true);

    // The payload view shows the text itself, isolated in its own block.
    await row.click();
    await expect(inspector(page).locator('.payload pre[dir="auto"]').first()).toContainText('invoice');
  } finally {
    peer.terminate();
  }

  // The close panel: a reason with an override leaves "wasClean true" readable. (/close
  // closes with the reason it is asked for: the server's text, as a peer's would be.)
  await lab(page).getByRole('button', { name: 'Close', exact: true }).click();
  await expect(lab(page).getByTestId('close-summary')).toContainText('1000');
  await lab(page)
    .getByLabel('WebSocket URL')
    .fill(
      `${baseURL!.replace(/^http/, 'ws')}close?code=4000&reason=${encodeURIComponent('invoice\u202Efdp.exe')}`,
    );
  await lab(page).getByRole('button', { name: 'Connect', exact: true }).click();
  const summary = lab(page).getByTestId('close-summary');
  await expect(summary).toContainText('4000');
  await expect(summary).toContainText('wasClean true');
  expect(increasing(await lefts(summary.locator('.meta'), ['reason', 'invoice', 'wasClean', 'true']))).toBe(
    true,
  );
  expect(increasing(await lefts(summary.locator('.meta'), ['w', 'a', 's', 'C', 'l', 'e', 'a', 'n']))).toBe(
    true,
  );
});

test('a chat peer’s C1 controls, escape sequences and OSC 8 links show as inert text in the other learner’s console', async ({
  page,
  baseURL,
}) => {
  await openCode(page);
  await setCode(
    page,
    [
      "const ws = new WebSocket('/chat');",
      "ws.onopen = () => console.log('joined; line kept');",
      // Only this test's messages (padded): the room's history, left by other tests on the same
      // server, would scroll the first line out of the terminal's rows.
      'ws.onmessage = (e) => { if (e.data.endsWith(" ".repeat(1400))) console.log(e.data.trimEnd()); };',
    ].join('\n'),
  );
  await run(page);
  await expect(consoleLog(page)).toContainText('joined; line kept');
  const peer = await chatPeer(baseURL!);
  try {
    // The terminal's DOM holds the rows on screen only: one message at a time, each checked
    // while it is the last line.
    const rows = codePanel(page).locator('.xterm-rows');
    peer.send(`\u009b2J\u009b1;31mX${PAD}`);
    await expect(rows).toContainText('\\x9b2J\\x9b1;31mX');
    // Nothing cleared (CSI 2J erases the screen): the line before it is still there; and
    // nothing recoloured (CSI 31m would make the X red, class xterm-fg-1).
    await expect(rows).toContainText('joined; line kept');
    expect(await rows.locator('span[class*="xterm-fg-1"]').count()).toBe(0);

    peer.send(`\x1b]8;;https://evil.example/\x1b\\click me\x1b]8;;\x1b\\${PAD}`);
    await expect(rows).toContainText('\\x1b]8;;https://evil.example/\\x1b\\click me\\x1b]8;;\\x1b\\');
    peer.send(`\u009d8;;https://evil.example/\u009cclick8\u009d8;;\u009c${PAD}`);
    await expect(rows).toContainText('\\x9d8;;https://evil.example/\\x9cclick8\\x9d8;;\\x9c');
    // No link planted: xterm underlines an OSC 8 link under the pointer; nothing here.
    const line = rows.locator(':scope > div').filter({ hasText: 'click8' }).last();
    const box = (await line.boundingBox())!;
    for (let x = box.x + 10; x < box.x + box.width; x += 40) await page.mouse.move(x, box.y + box.height / 2);
    await expect(codePanel(page).locator('.xterm [class*="xterm-underline"]')).toHaveCount(0);

    peer.send(`invoice\u202Efdp.exe${PAD}`);
    await expect(rows).toContainText('invoice\\u202efdp.exe');
  } finally {
    peer.terminate();
  }
});
