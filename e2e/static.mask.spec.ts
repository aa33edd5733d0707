/**
 * The built site on a static host masks big payloads with the page's WebAssembly SIMD kernel
 * (app/loopback/page-mask.ts): the first virtual network loads it and marks <html
 * data-mask-kernel>. A large echo through the lab then round-trips byte for byte: the client's
 * frame is masked by the kernel (RFC 6455 §5.3), the in-page server unmasks it with the kernel,
 * checks its UTF-8 and echoes it.
 */
import { expect, test } from '@playwright/test';
import { collectPageErrors } from './console.ts';
import { connectEcho, frameRows, lab } from './lab-helpers.ts';

test('on the static build the page installs the SIMD mask kernel, and a 150 KB echo round-trips intact', async ({
  page,
}) => {
  const errors = collectPageErrors(page);
  await connectEcho(page);
  await expect(page.locator('html')).toHaveAttribute('data-mask-kernel', 'wasm-simd');
  // Multi-byte characters everywhere: one wrongly unmasked byte would break the UTF-8 (close 1007).
  const text = Array.from({ length: 25_000 }, (_, i) => `é${i % 10}€`).join(''); // 2+1+3 bytes a round
  const bytes = new TextEncoder().encode(text).length;
  expect(bytes).toBe(150_000);
  const l = lab(page);
  await l.locator('label:has(input[value="text"])').click();
  await l.getByLabel('Text message').fill(text);
  await l.getByRole('button', { name: 'Send', exact: true }).click();
  await expect
    .poll(() => frameRows(page))
    .toEqual([`→ TEXT fin=1 len=${bytes} masked`, `← TEXT fin=1 len=${bytes} unmasked`]);
  const timeline = l.getByRole('listbox', { name: 'Event timeline' });
  await timeline.getByRole('option', { name: /\bmessage · "/ }).click();
  const full = page.getByRole('region', { name: 'Message in full' });
  expect(await full.locator('pre').textContent()).toBe(text);
  await expect(l.locator('[data-state="OPEN"][aria-current="step"]')).toBeVisible();
  expect(errors).toEqual([]);
});
