/**
 * pcapng in Chromium: a live /echo session saved as pcapng (the writer loads on use) is read by
 * tshark as the frames the inspector lists, and loading that file back shows them again.
 */
import { expect, test } from '@playwright/test';
import { execFileSync } from 'node:child_process';
import { connectEcho, frameRows, inspector, lab, sendText } from './lab-helpers.ts';

const hasTshark = (() => {
  try {
    execFileSync('tshark', ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

test('a live session saved as pcapng opens in tshark as WebSocket and loads back with the same frames', async ({
  page,
}, info) => {
  test.setTimeout(90_000);
  await connectEcho(page);
  await sendText(page, 'capture me');
  const frames = inspector(page).getByRole('listbox', { name: 'Frames' }).getByRole('option');
  await expect(frames).toHaveCount(2);
  const live = await frameRows(page);

  const [download] = await Promise.all([
    page.waitForEvent('download'),
    lab(page).getByRole('button', { name: 'pcap', exact: true }).click(),
  ]);
  expect(download.suggestedFilename()).toMatch(/\.pcapng$/);
  const file = info.outputPath('session.pcapng');
  await download.saveAs(file);

  if (hasTshark) {
    const port = new URL(page.url()).port;
    const out = execFileSync(
      'tshark',
      [
        '-r',
        file,
        '-d',
        `tcp.port==${port},http`,
        '-Y',
        'websocket',
        '-T',
        'fields',
        '-e',
        'websocket.opcode',
        '-e',
        'websocket.mask',
        '-e',
        'websocket.payload.text',
      ],
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] },
    );
    expect(out.trim().split('\n')).toEqual(['1\t1\tcapture me', '1\t0\tcapture me']);
  }

  await lab(page).getByLabel('Import a session file').setInputFiles(file);
  await expect(lab(page).getByTestId('import-message')).toContainText('1 connection, 2 frames');
  await expect(frames).toHaveCount(2);
  expect(await frameRows(page)).toEqual(live);
});
