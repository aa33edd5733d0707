/**
 * Masking at native speed on Node: installs the `mask` of the optional `bufferutil` package
 * (the native helper `ws` uses) as the engine's mask kernel (app/protocol/mask.ts,
 * `useMaskKernel`). The engine stays pure and keeps its TypeScript loops as the fallback; this
 * only hands it a faster XOR when the platform has one.
 *
 * Nothing happens, and the TypeScript loops stay in use, when bufferutil is not installed,
 * when only its JavaScript fallback loaded (no prebuilt binary for this platform), or when
 * WSP_NO_BUFFER_UTIL is set (to measure or debug the fallback, as ws reads WS_NO_BUFFER_UTIL).
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { useMaskKernel, type MaskKernel } from '../protocol/mask.ts';

export type MaskKernelName = 'bufferutil' | 'typescript';

let installed: MaskKernelName | undefined;

/** Installs bufferutil's native mask if it can (once per process); says which kernel is in use. */
export function installNativeMask(env: Record<string, string | undefined> = process.env): MaskKernelName {
  if (installed !== undefined) return installed;
  installed = 'typescript';
  if (env.WSP_NO_BUFFER_UTIL) return installed;
  const mask = loadBufferUtilMask();
  if (mask !== undefined) {
    useMaskKernel(mask);
    installed = 'bufferutil';
  }
  return installed;
}

/** bufferutil's native `mask`, or undefined (not installed, or its JavaScript fallback). */
export function loadBufferUtilMask(): MaskKernel | undefined {
  const require = createRequire(import.meta.url);
  try {
    const native = require('bufferutil') as { mask?: MaskKernel };
    const fallback = require(join(dirname(require.resolve('bufferutil')), 'fallback.js')) as {
      mask?: MaskKernel;
    };
    if (typeof native.mask !== 'function' || native.mask === fallback.mask) return undefined;
    return native.mask;
  } catch {
    return undefined;
  }
}
