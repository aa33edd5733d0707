import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Connection } from './connection.ts';
import { encodeFrame } from './frame.ts';
import { allocBytes, POOLED_MAX, useWriteAllocator } from './pool.ts';
import { concatBytes } from './test-helpers.ts';

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

describe('allocForWrite: every caller writes every byte (so a host may skip zeroing)', () => {
  /** Memory as an unzeroed allocator may return it: full of old bytes. */
  const garbage = (n: number): Uint8Array => new Uint8Array(n).fill(0xee);

  /** What `run` returns with zeroed memory and with garbage: equal when no stale byte leaks. */
  function both<T>(run: () => T): [T, T] {
    useWriteAllocator(undefined);
    const clean = run();
    useWriteAllocator(garbage);
    try {
      return [clean, run()];
    } finally {
      useWriteAllocator(undefined);
    }
  }

  // Byte for byte (toEqual on 70 KB arrays is slow).
  const same = (a: Uint8Array, b: Uint8Array): boolean =>
    a.length === b.length && a.every((x, i) => x === b[i]);

  const sizes = fc.oneof(fc.integer({ min: 0, max: 200 }), fc.integer({ min: POOLED_MAX - 20, max: 70_000 }));
  const key = fc.uint8Array({ minLength: 4, maxLength: 4 });

  it('frames encoded, masked or not, any length: the same bytes', { timeout: 30_000 }, () => {
    fc.assert(
      fc.property(sizes, fc.option(key, { nil: undefined }), fc.boolean(), (n, maskKey, fin) => {
        const payload = new Uint8Array(n).map((_, i) => i * 13);
        const frame = {
          fin,
          rsv1: false,
          rsv2: false,
          rsv3: false,
          opcode: 0x2,
          payload,
          ...(maskKey ? { maskKey } : {}),
        };
        const [clean, dirty] = both(() => encodeFrame(frame));
        expect(same(dirty, clean)).toBe(true);
      }),
      { numRuns: 25 },
    );
  });

  it(
    'payloads unmasked into copies, frames gathered across chunks, fragments joined: the same bytes',
    { timeout: 30_000 },
    () => {
      fc.assert(
        fc.property(
          sizes,
          key,
          fc.integer({ min: 1, max: 3 }),
          fc.integer({ min: 1, max: 7 }),
          (n, maskKey, parts, cuts) => {
            const payload = new Uint8Array(n).map((_, i) => i * 7 + 1);
            // The message in `parts` fragments (5.4), the wire cut into `cuts` chunks.
            const step = Math.ceil(n / parts) || 1;
            const frames: Uint8Array[] = [];
            for (let at = 0, i = 0; i === 0 || at < n; at += step, i++) {
              const end = Math.min(n, at + step);
              frames.push(
                encodeFrame({
                  fin: end >= n,
                  rsv1: false,
                  rsv2: false,
                  rsv3: false,
                  opcode: i === 0 ? 0x2 : 0x0,
                  payload: payload.subarray(at, end),
                  maskKey,
                }),
              );
            }
            const wire = concatBytes(frames);
            const read = (): Uint8Array[] => {
              // Frame events on: masked payloads are unmasked into copies (decoder.ts).
              const c = new Connection({ role: 'server', maxMessageSize: 1 << 20 });
              const chunk = Math.ceil(wire.length / cuts) || 1;
              for (let at = 0; at < wire.length; at += chunk) c.receiveData(wire.slice(at, at + chunk));
              return c
                .events()
                .flatMap((e) =>
                  e.kind === 'message' ? [e.data as Uint8Array] : e.kind === 'frame' ? [e.frame.payload] : [],
                );
            };
            const [clean, dirty] = both(read);
            expect(dirty.length).toBe(clean.length);
            dirty.forEach((d, i) => expect(same(d, clean[i]!)).toBe(true));
            expect(same(clean[clean.length - 1]!, payload)).toBe(true);
          },
        ),
        { numRuns: 25 },
      );
    },
  );
});
