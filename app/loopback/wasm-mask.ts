/**
 * RFC 6455 §5.3 masking with WebAssembly SIMD, for the page: the engine's `MaskKernel`
 * (app/protocol/mask.ts) over the module of wasm-mask.wat (bytes: wasm-mask-module.ts).
 *
 * WebAssembly reads only its own memory, so a payload is masked in chunks of CHUNK bytes:
 * copied into the module's memory at address 0, XORed there 64 bytes at a time, copied out to
 * the output. Both copies are memcpy (TypedArray.set), the XOR runs at 16 bytes an instruction:
 * that beats the engine's 32-bit JavaScript loop from about WASM_MASK_MIN bytes up (figures in
 * README.md, measured by bench/mask.ts). CHUNK is one memory page, which never grows (so the
 * view on it never goes stale) and stays in the CPU's cache between the copies. CHUNK is a
 * multiple of 4, so every chunk starts at key[0] as the first did.
 */
import type { MaskKernel } from '../protocol/mask.ts';
import { maskModuleBytes } from './wasm-mask-module.ts';

/** Bytes masked per round trip through the module's memory: its one 64 KiB page. */
export const CHUNK = 64 * 1024;

/**
 * Payloads from this size go to the kernel; smaller ones stay with the engine's loops, which
 * win below it (measured in Node 20 and Chromium: bench/mask.ts).
 */
export const WASM_MASK_MIN = 512;

/** What the kernel needs of the platform's `WebAssembly` (injectable, to test the fallbacks). */
export interface WasmPlatform {
  validate(bytes: BufferSource): boolean;
  instantiate(bytes: BufferSource): Promise<{ instance: WebAssembly.Instance }>;
}

/**
 * The SIMD kernel, or undefined where it cannot run: no WebAssembly, no SIMD (the module does
 * not validate), or compiling refused (a Content-Security-Policy without 'wasm-unsafe-eval').
 */
export async function createWasmMask(
  platform: { WebAssembly?: WasmPlatform } = globalThis,
): Promise<MaskKernel | undefined> {
  const wasm = platform.WebAssembly;
  if (wasm === undefined) return undefined;
  const bytes = maskModuleBytes();
  try {
    if (!wasm.validate(bytes)) return undefined;
    const { instance } = await wasm.instantiate(bytes);
    const { memory, mask } = instance.exports as { memory?: unknown; mask?: unknown };
    if (!(memory instanceof WebAssembly.Memory) || typeof mask !== 'function') return undefined;
    return chunkedKernel(new Uint8Array(memory.buffer, 0, CHUNK), mask as (len: number, key: number) => void);
  } catch {
    return undefined;
  }
}

function chunkedKernel(heap: Uint8Array, mask: (len: number, key: number) => void): MaskKernel {
  return (source, key, output, outputOffset, length) => {
    // The key as one little-endian word, key[0] lowest: WebAssembly memory is little-endian.
    const k = key[0]! | (key[1]! << 8) | (key[2]! << 16) | (key[3]! << 24);
    for (let done = 0; done < length; done += CHUNK) {
      const n = Math.min(CHUNK, length - done);
      heap.set(done === 0 && n === source.length ? source : source.subarray(done, done + n));
      mask(n, k);
      output.set(n === CHUNK ? heap : heap.subarray(0, n), outputOffset + done);
    }
  };
}
