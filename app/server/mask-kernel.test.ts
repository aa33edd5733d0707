import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { applyMask, copyMasked, KERNEL_MIN, useMaskKernel } from '../protocol/mask.ts';
import { loadBufferUtilMask } from './mask-kernel.ts';

const native = loadBufferUtilMask();

describe("bufferutil's native mask as the engine's kernel (§5.3)", () => {
  afterEach(() => useMaskKernel(undefined));

  it('is found (bufferutil is a dev dependency with a prebuilt binary for linux-x64)', () => {
    expect(native).toBeTypeOf('function');
  });

  it('gives the same bytes as the TypeScript loops on random lengths, offsets, ranges and keys', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: KERNEL_MIN, maxLength: 4 * KERNEL_MIN }),
        fc.uint8Array({ minLength: 4, maxLength: 4 }),
        fc.nat({ max: 11 }),
        fc.nat({ max: 7 }),
        fc.nat({ max: 40 }),
        (data, key, offset, align, cut) => {
          const start = cut % 9;
          const end = data.length - (cut % 5);
          const plain = data.slice();
          applyMask(plain, key, offset, start, end);
          const view = new Uint8Array(data.length + 8).subarray(align, align + data.length);
          view.set(data);
          useMaskKernel(native);
          applyMask(view, key, offset, start, end);
          const copied = new Uint8Array(data.length + 3);
          copyMasked(data, key, copied, 3);
          useMaskKernel(undefined);
          expect(Buffer.from(view).equals(Buffer.from(plain))).toBe(true);
          const expected = data.slice();
          applyMask(expected, key);
          expect(Buffer.from(copied.subarray(3)).equals(Buffer.from(expected))).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });
});
