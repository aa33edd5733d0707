import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { applyMask, maskKeyHex } from './mask.ts';
import { fromHex, hex } from './test-helpers.ts';

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
