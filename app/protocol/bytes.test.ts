import { Buffer } from 'node:buffer';
import { describe, expect, it } from 'vitest';
import { copyBytes } from './bytes.ts';

describe('copyBytes', () => {
  it("copies a Node Buffer, whose own slice() would be a view into the caller's memory", () => {
    const chunk = Buffer.from([1, 2, 3, 4, 5]);
    expect(chunk.slice(1).buffer).toBe(chunk.buffer); // the trap: Buffer#slice shares memory
    const copy = copyBytes(chunk, 1, 4);
    copy[0] = 99;
    expect([...chunk]).toEqual([1, 2, 3, 4, 5]);
    expect([...copy]).toEqual([99, 3, 4]);
    expect(Object.getPrototypeOf(copy)).toBe(Uint8Array.prototype);
  });

  it('copies the whole array by default, and an empty range as empty', () => {
    expect([...copyBytes(new Uint8Array([7, 8]))]).toEqual([7, 8]);
    expect(copyBytes(new Uint8Array([7, 8]), 1, 1).length).toBe(0);
  });
});
