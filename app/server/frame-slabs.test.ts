import { afterEach, describe, expect, it } from 'vitest';
import { encodeFrame } from '../protocol/frame.ts';
import { allocForWrite, POOLED_MAX, useWriteAllocator } from '../protocol/pool.ts';
import { installFrameSlabs } from './frame-slabs.ts';

afterEach(() => useWriteAllocator(undefined));

describe('installFrameSlabs', () => {
  it('carves big arrays from shared slabs, never the same byte twice', () => {
    installFrameSlabs();
    const arrays: Uint8Array[] = [];
    for (let i = 0; i < 200; i++) {
      const a = allocForWrite(POOLED_MAX + 1 + ((i * 7919) % 70_000));
      expect(Buffer.isBuffer(a)).toBe(false);
      a.fill(i % 251);
      arrays.push(a);
    }
    // Filled in order, checked at the end: a later array written over an earlier one would show.
    arrays.forEach((a, i) => expect(a.every((b) => b === i % 251)).toBe(true));
    const slabs = new Set(arrays.map((a) => a.buffer));
    expect(slabs.size).toBeGreaterThan(1);
    expect(slabs.size).toBeLessThan(arrays.length / 4);
    for (const a of arrays) expect(a.byteOffset % 8).toBe(0);
  });

  it('gives arrays over half a slab memory of their own, and leaves small ones to the pool', () => {
    installFrameSlabs();
    const big = allocForWrite(300 * 1024);
    expect(big.buffer.byteLength).toBe(300 * 1024);
    const small = allocForWrite(100);
    expect(small.buffer.byteLength).toBe(16 * 1024); // the engine's small pool (pool.ts)
  });

  it('frames encoded from slab memory are the frames encoded from zeroed memory', () => {
    const payload = new Uint8Array(65_536).map((_, i) => i * 31);
    const frame = {
      fin: true,
      rsv1: false,
      rsv2: false,
      rsv3: false,
      opcode: 2,
      payload,
      maskKey: Uint8Array.of(9, 8, 7, 6),
    };
    const zeroed = encodeFrame(frame);
    installFrameSlabs();
    for (let i = 0; i < 40; i++) expect(Buffer.compare(encodeFrame(frame), zeroed)).toBe(0);
  });
});
