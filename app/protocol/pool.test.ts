import { describe, expect, it } from 'vitest';
import { allocBytes, POOLED_MAX } from './pool.ts';

describe('allocBytes', () => {
  it('hands out zeroed arrays that never share a byte, across several slabs', () => {
    const arrays: Uint8Array[] = [];
    for (let i = 0; i < 2000; i++) {
      const a = allocBytes((i * 37) % 300);
      expect(a.every((b) => b === 0)).toBe(true);
      a.fill((i % 255) + 1);
      arrays.push(a);
    }
    // Filled in order, checked at the end: a later array written over an earlier one would show.
    arrays.forEach((a, i) => expect(a.every((b) => b === (i % 255) + 1)).toBe(true));
    const slabs = new Set(arrays.map((a) => a.buffer));
    expect(slabs.size).toBeGreaterThan(1);
    for (const buffer of slabs) {
      const ranges = arrays
        .filter((a) => a.buffer === buffer)
        .map((a) => [a.byteOffset, a.byteOffset + a.length] as const)
        .sort((x, y) => x[0] - y[0]);
      for (let i = 1; i < ranges.length; i++) expect(ranges[i]![0]).toBeGreaterThanOrEqual(ranges[i - 1]![1]);
    }
  });

  it('starts arrays on 8-byte boundaries (the masking word loop needs no head bytes)', () => {
    for (const n of [1, 3, 5, 8, 13]) expect(allocBytes(n).byteOffset % 8).toBe(0);
  });

  it('gives arrays over POOLED_MAX a buffer of their own', () => {
    const big = allocBytes(POOLED_MAX + 1);
    expect(big.byteOffset).toBe(0);
    expect(big.buffer.byteLength).toBe(POOLED_MAX + 1);
  });
});
