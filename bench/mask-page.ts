/**
 * bench/mask.ts's entry in a Chromium page (bundled by esbuild into one script): the engine's
 * TypeScript loops against the page's WebAssembly SIMD kernel, timed with performance.now().
 */
import { createWasmMask } from '../app/loopback/wasm-mask.ts';
import { runMaskTimings, type MaskRow } from './mask-core.ts';

(globalThis as { runMaskBench?: () => Promise<MaskRow[]> }).runMaskBench = async () => {
  const wasm = await createWasmMask();
  if (wasm === undefined) throw new Error('this Chromium has no WebAssembly SIMD');
  return runMaskTimings({
    kernels: { typescript: undefined, 'wasm simd': wasm },
    now: () => performance.now(),
  });
};
