import { afterEach, describe, expect, it } from 'vitest';
import { applyMask, maskKernel, useMaskKernel, type MaskKernel } from '../protocol/mask.ts';
import { installPageMask } from './page-mask.ts';
import { WASM_MASK_MIN } from './wasm-mask.ts';

afterEach(() => useMaskKernel(undefined));

/** A stand-in for the page's <html>: only its dataset is written. */
const root = () => ({ dataset: {} as DOMStringMap }) as HTMLElement;

describe("the page's mask kernel", () => {
  it('installs the SIMD kernel from WASM_MASK_MIN bytes and marks the page "wasm-simd"', async () => {
    const html = root();
    expect(await installPageMask(undefined, html)).toBe('wasm-simd');
    expect(html.dataset.maskKernel).toBe('wasm-simd');
    expect(maskKernel()).toBeTypeOf('function');
  });

  it('installs the kernel with its floor: payloads under WASM_MASK_MIN stay with the loops', async () => {
    let calls = 0;
    const counting: MaskKernel = (source, key, output, at, length) => {
      calls++;
      for (let i = 0; i < length; i++) output[at + i] = source[i]! ^ key[i & 3]!;
    };
    await installPageMask(
      () => Promise.resolve({ createWasmMask: () => Promise.resolve(counting), WASM_MASK_MIN }),
      root(),
    );
    applyMask(new Uint8Array(WASM_MASK_MIN - 1), Uint8Array.of(1, 2, 3, 4));
    expect(calls).toBe(0);
    applyMask(new Uint8Array(WASM_MASK_MIN), Uint8Array.of(1, 2, 3, 4));
    expect(calls).toBe(1);
  });

  it('keeps the TypeScript loops and says "typescript" where the kernel cannot run', async () => {
    const html = root();
    const name = await installPageMask(
      () => Promise.resolve({ createWasmMask: () => Promise.resolve(undefined), WASM_MASK_MIN }),
      html,
    );
    expect(name).toBe('typescript');
    expect(html.dataset.maskKernel).toBe('typescript');
    expect(maskKernel()).toBeUndefined();
  });

  it("keeps the TypeScript loops when the kernel's chunk fails to load", async () => {
    const html = root();
    const name = await installPageMask(
      () => Promise.reject(new TypeError('Failed to fetch dynamically imported module')),
      html,
    );
    expect(name).toBe('typescript');
    expect(html.dataset.maskKernel).toBe('typescript');
    expect(maskKernel()).toBeUndefined();
  });
});
