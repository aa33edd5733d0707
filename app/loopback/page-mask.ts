/**
 * The page's mask kernel: the first virtual network made in a page loads the WebAssembly SIMD
 * kernel (wasm-mask.ts, its own small chunk, never part of the first page) and installs it as
 * the engine's mask kernel (RFC 6455 §5.3) for payloads of WASM_MASK_MIN bytes or more. Until it
 * has loaded, or where it cannot run (no WebAssembly or no SIMD, compiling refused by a CSP),
 * the engine masks with its TypeScript loops. The kernel in use is on the page as
 * `<html data-mask-kernel="wasm-simd">` (or "typescript"), for tests and the curious.
 */
import { useMaskKernel } from '../protocol/mask.ts';

export type PageMaskKernel = 'wasm-simd' | 'typescript';

type KernelModule = Pick<typeof import('./wasm-mask.ts'), 'createWasmMask' | 'WASM_MASK_MIN'>;

const importKernel = (): Promise<KernelModule> => import('./wasm-mask.ts');

/** Loads the kernel's module, installs the kernel if it runs here, and marks `root` with the one in use. */
export async function installPageMask(
  load: () => Promise<KernelModule> = importKernel,
  root: HTMLElement | undefined = (globalThis as { document?: Document }).document?.documentElement,
): Promise<PageMaskKernel> {
  let name: PageMaskKernel = 'typescript';
  try {
    const { createWasmMask, WASM_MASK_MIN } = await load();
    const kernel = await createWasmMask();
    if (kernel !== undefined) {
      useMaskKernel(kernel, WASM_MASK_MIN);
      name = 'wasm-simd';
    }
  } catch {
    // The chunk did not load (offline, a new deploy): the loops do the work.
  }
  if (root) root.dataset.maskKernel = name;
  return name;
}

let loading: Promise<PageMaskKernel> | undefined;

/** installPageMask, once per page. */
export function loadPageMask(): Promise<PageMaskKernel> {
  loading ??= installPageMask();
  return loading;
}
