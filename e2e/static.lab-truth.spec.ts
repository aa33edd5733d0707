/**
 * What the lab shows must match the wire (issue 13), on the built site in loopback mode.
 */
import { expect, test } from '@playwright/test';
import { connectEcho, inspector, lab } from './lab-helpers.ts';

test('a 2 MiB message over the limit shows in the frame list as the TEXT frame the client sent, and the close reply as a CLOSE frame', async ({
  page,
}) => {
  await connectEcho(page);
  await expect(page.getByTestId('via')).toHaveAttribute('data-source', 'loopback');
  const l = lab(page);
  await l.locator('label:has(input[value="text"])').click();
  await l.getByLabel('Text message').fill('x'.repeat(2 * 1024 * 1024));
  await l.getByRole('button', { name: 'Send', exact: true }).click();
  await expect(l.getByTestId('close-summary')).toContainText('1009');
  const frames = inspector(page).getByRole('listbox', { name: 'Frames' });
  await expect(frames.getByRole('option')).toHaveCount(3);
  await expect(frames.getByRole('option').nth(0)).toContainText('TEXT');
  await expect(frames.getByRole('option').nth(0)).toContainText('not read: MESSAGE_TOO_BIG');
  await expect(frames.getByRole('option').nth(2)).toContainText('CLOSE');
  await expect(inspector(page)).toContainText('3 frames');
  await expect(l.getByRole('listbox', { name: 'Event timeline' })).not.toContainText('not framed');
});
