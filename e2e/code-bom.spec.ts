import { expect, test } from '@playwright/test';
import { consoleLog, openCode, run, setCode } from './code-helpers.ts';

test.describe.configure({ timeout: 90_000 });

test('learner code keeps a leading U+FEFF: Buffer#toString as in Node, and a text message echoed through /echo', async ({
  page,
}) => {
  await openCode(page);
  await setCode(
    page,
    [
      "console.log('buffer chars', Buffer.from([0xef, 0xbb, 0xbf, 0x68, 0x69]).toString().length);",
      "const ws = new WebSocket('/echo');",
      "ws.onopen = () => ws.send('\\uFEFFhello');",
      "ws.onmessage = (e) => { console.log('echo chars', e.data.length, e.data.charCodeAt(0).toString(16)); ws.close(); };",
    ].join('\n'),
  );
  await run(page);
  // U+FEFF, 'h', 'i': three characters, as Node's Buffer gives (a decoder that drops the BOM gives 2).
  await expect(consoleLog(page)).toContainText('buffer chars 3');
  await expect(consoleLog(page)).toContainText('echo chars 6 feff');
});
