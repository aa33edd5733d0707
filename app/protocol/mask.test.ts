import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import {
  applyMask,
  copyMasked,
  KERNEL_MIN,
  maskKernel,
  maskKeyHex,
  useMaskKernel,
  type MaskKernel,
} from './mask.ts';
import { assertKernelMatchesLoops, fromHex, hex } from './test-helpers.ts';

function reference(data: Uint8Array, key: Uint8Array, offset: number): Uint8Array {
  return data.map((b, i) => b ^ key[(offset + i) % 4]!);
}

describe('applyMask (§5.3)', () => {
  it('masks the RFC example "Hello" with 37 fa 21 3d', () => {
    const data = new TextEncoder().encode('Hello');
    applyMask(data, fromHex('37fa213d'));
    expect(hex(data)).toBe('7f9f4d5158');
  });

  it('matches byte-by-byte XOR for any length, key, offset and (un)aligned start', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 300 }),
        fc.uint8Array({ minLength: 4, maxLength: 4 }),
        fc.nat({ max: 7 }),
        fc.nat({ max: 7 }),
        (data, key, offset, start) => {
          const buffer = new Uint8Array(data.length + 8);
          const view = buffer.subarray(start, start + data.length); // any alignment
          view.set(data);
          applyMask(view, key, offset);
          expect(hex(view)).toBe(hex(reference(data, key, offset)));
          // bytes around the view are untouched
          expect(Array.from(buffer.subarray(0, start))).toEqual(new Array(start).fill(0));
          expect(Array.from(buffer.subarray(start + data.length))).toEqual(new Array(8 - start).fill(0));
        },
      ),
      { numRuns: 1000 },
    );
  });

  it('unmasking in pieces with offsets equals unmasking at once', () => {
    const data = Uint8Array.from({ length: 1000 }, (_, i) => i & 0xff);
    const key = fromHex('01020304');
    const whole = data.slice();
    applyMask(whole, key);
    const pieces = data.slice();
    for (const [a, b] of [
      [0, 3],
      [3, 70],
      [70, 71],
      [71, 1000],
    ] as const)
      applyMask(pieces.subarray(a, b), key, a);
    expect(hex(pieces)).toBe(hex(whole));
  });

  it('masks only data[start..end) when given a range, with offset counted from start', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 200 }),
        fc.nat(),
        fc.nat(),
        fc.nat({ max: 9 }),
        (data, a, b, offset) => {
          const start = a % data.length;
          const end = start + (b % (data.length - start + 1));
          const got = data.slice();
          applyMask(got, fromHex('a1b2c3d4'), offset, start, end);
          const expected = data.slice();
          expected.set(reference(data.subarray(start, end), fromHex('a1b2c3d4'), offset), start);
          expect(hex(got)).toBe(hex(expected));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('is its own inverse', () => {
    const data = Uint8Array.from({ length: 100 }, (_, i) => i);
    const key = fromHex('deadbeef');
    applyMask(data, key);
    applyMask(data, key);
    expect(data).toEqual(Uint8Array.from({ length: 100 }, (_, i) => i));
  });

  it('refuses a key that is not 4 bytes', () => {
    expect(() => applyMask(new Uint8Array(4), new Uint8Array(3))).toThrow(RangeError);
  });

  it('formats a key as hex', () => expect(maskKeyHex(fromHex('37fa213d'))).toBe('37fa213d'));
});

/** A kernel that keeps the contract byte by byte and counts its calls. */
function countingKernel(): MaskKernel & { calls: number } {
  const k = ((source, key, output, outputOffset, length) => {
    k.calls++;
    for (let i = 0; i < length; i++) output[outputOffset + i] = source[i]! ^ key[i & 3]!;
  }) as MaskKernel & { calls: number };
  k.calls = 0;
  return k;
}

describe('a mask kernel (useMaskKernel)', () => {
  afterEach(() => useMaskKernel(undefined));

  it('applyMask and copyMasked with a kernel equal the plain loops for any length, offset, range and alignment', () => {
    const kernel = countingKernel();
    assertKernelMatchesLoops(kernel, { maxLength: 3 * KERNEL_MIN, numRuns: 1000 });
    expect(kernel.calls).toBeGreaterThan(0);
  });

  it('copyMasked equals a copy then applyMask, with and without a kernel', () => {
    const kernel = countingKernel();
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 3 * KERNEL_MIN, size: 'max' }),
        fc.uint8Array({ minLength: 4, maxLength: 4 }),
        fc.nat({ max: 9 }),
        fc.boolean(),
        (data, key, at, withKernel) => {
          const expected = new Uint8Array(data.length + 9 + 3);
          expected.set(data, at);
          applyMask(expected, key, 0, at, at + data.length);
          const got = new Uint8Array(data.length + 9 + 3);
          useMaskKernel(withKernel ? kernel : undefined);
          copyMasked(data, key, got, at);
          useMaskKernel(undefined);
          expect(hex(got)).toBe(hex(expected));
        },
      ),
      { numRuns: 500 },
    );
    expect(kernel.calls).toBeGreaterThan(0);
  });

  it('sends only payloads of KERNEL_MIN bytes or more to the kernel, turning the key for an offset', () => {
    const calls: Array<{ length: number; key: string; inPlace: boolean }> = [];
    useMaskKernel((source, key, output, outputOffset, length) => {
      calls.push({ length, key: hex(key), inPlace: source === output && outputOffset === 0 });
      for (let i = 0; i < length; i++) output[outputOffset + i] = source[i]! ^ key[i & 3]!;
    });
    expect(maskKernel()).toBeDefined();
    const key = fromHex('01020304');
    applyMask(new Uint8Array(KERNEL_MIN - 1), key);
    expect(calls).toEqual([]);
    applyMask(new Uint8Array(KERNEL_MIN + 10), key, 6, 10);
    // data[10] is payload byte 6: key[6 MOD 4] = key[2] comes first.
    expect(calls).toEqual([{ length: KERNEL_MIN, key: '03040102', inPlace: true }]);
  });

  it('with a `min`, sends payloads of that many bytes or more to the kernel (applyMask and copyMasked)', () => {
    const kernel = countingKernel();
    const key = fromHex('01020304');
    const min = 4 * KERNEL_MIN;
    useMaskKernel(kernel, min);
    applyMask(new Uint8Array(min - 1), key);
    copyMasked(new Uint8Array(min - 1), key, new Uint8Array(min - 1), 0);
    expect(kernel.calls).toBe(0);
    applyMask(new Uint8Array(min), key);
    copyMasked(new Uint8Array(min), key, new Uint8Array(min), 0);
    expect(kernel.calls).toBe(2);
    // Installed again without one: KERNEL_MIN.
    useMaskKernel(kernel);
    applyMask(new Uint8Array(KERNEL_MIN), key);
    expect(kernel.calls).toBe(3);
  });

  it('still refuses a key that is not 4 bytes', () => {
    useMaskKernel(countingKernel());
    expect(() => applyMask(new Uint8Array(KERNEL_MIN), new Uint8Array(3))).toThrow(RangeError);
    expect(() =>
      copyMasked(new Uint8Array(KERNEL_MIN), new Uint8Array(5), new Uint8Array(KERNEL_MIN), 0),
    ).toThrow(RangeError);
  });
});
