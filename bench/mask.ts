/**
 * Masking benchmark (RFC 6455 §5.3): the engine's TypeScript loops, the page's WebAssembly SIMD
 * kernel (app/loopback/wasm-mask.ts) and bufferutil's native mask (what the Node server and
 * `ws` use), in GB/s per payload size.
 *
 *   npx tsx bench/mask.ts [--no-browser]    (or `npm run bench -- mask`)
 *
 * In Node the clock is the process's CPU time; then the same timing code (mask-core.ts) runs in
 * a headless Chromium page (Debian's /usr/bin/chromium, or Playwright's), on wall time, for the
 * TypeScript loops and the SIMD kernel (there is no bufferutil in a page). The sizes where the
 * kernel starts to win are what WASM_MASK_MIN is chosen from. Not a test: nothing passes or fails.
 */
import { build } from 'esbuild';
import { chromium } from '@playwright/test';
import { createWasmMask } from '../app/loopback/wasm-mask.ts';
import { loadBufferUtilMask } from '../app/server/mask-kernel.ts';
import { chromiumLaunchOptions } from '../scripts/browser.ts';
import { formatMaskRows, runMaskTimings, type MaskRow } from './mask-core.ts';

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

async function inChromium(): Promise<{ version: string; rows: MaskRow[] }> {
  const bundle = await build({
    entryPoints: [new URL('./mask-page.ts', import.meta.url).pathname],
    bundle: true,
    format: 'iife',
    write: false,
    target: 'es2022',
  });
  const browser = await chromium.launch(chromiumLaunchOptions());
  try {
    const page = await browser.newPage();
    await page.setContent('<!doctype html><title>mask bench</title>');
    await page.addScriptTag({ content: bundle.outputFiles[0]!.text });
    const rows = await page.evaluate(() =>
      (globalThis as unknown as { runMaskBench: () => Promise<MaskRow[]> }).runMaskBench(),
    );
    return { version: browser.version(), rows };
  } finally {
    await browser.close();
  }
}

export async function runMaskBench(args: readonly string[] = []): Promise<void> {
  const wasm = await createWasmMask();
  const native = loadBufferUtilMask();
  const kernels: Record<string, typeof wasm> = { typescript: undefined };
  if (wasm) kernels['wasm simd'] = wasm;
  if (native) kernels.bufferutil = native;
  console.log(
    `mask: applyMask in place, one payload per call, 2 bytes past an aligned start; GB/s = 1e9 payload bytes/s, median of 5 alternating slices`,
  );
  console.log(`node ${process.version} (process CPU time)${wasm ? '' : ': no WebAssembly SIMD here'}`);
  console.log(formatMaskRows(runMaskTimings({ kernels, now: cpuMs })));
  if (args.includes('--no-browser')) return;
  try {
    const { version, rows } = await inChromium();
    console.log(`\nChromium ${version} (a page; wall time: performance.now())`);
    console.log(formatMaskRows(rows));
  } catch (error) {
    console.log(
      `\nChromium: not measured (${error instanceof Error ? error.message.split('\n')[0] : String(error)})`,
    );
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await runMaskBench(process.argv.slice(2));
