/**
 * Small byte arrays carved from shared slabs, the way Node's Buffer pool works.
 *
 * Why: `new Uint8Array(n)` for n above 64 gets its own ArrayBuffer outside V8's heap, which
 * costs about ten times what a view of an existing buffer does (~275 ns against ~25 ns on the
 * machine that runs our benches). Every small frame the engine writes, and every small masked
 * payload it unmasks, needs one such array, so that cost was the largest part of echoing a
 * 64-byte message.
 *
 * Safety: the memory is never handed out twice. Each call returns a fresh, zeroed view of
 * bytes no earlier call returned; a full slab is simply left behind (it lives as long as a view
 * of it does) and a new one started. So a transport may hold a returned array for as long as it
 * likes, e.g. in a socket's write queue. The price is retention: a small array kept alive keeps
 * its whole slab (SLAB_SIZE bytes) alive. Code that keeps small payloads for long (a chat
 * history) should keep copies (copyBytes).
 */

/** Arrays up to this size come from a slab; bigger ones get a buffer of their own. */
export const POOLED_MAX = 4096;

const SLAB_SIZE = 16 * 1024;

let slab = new Uint8Array(0);
/** Bytes of `slab` handed out (the empty first slab counts as full). */
let used = SLAB_SIZE;

/** A zeroed array of `n` bytes that no one else holds (see above). */
export function allocBytes(n: number): Uint8Array {
  if (n > POOLED_MAX) return new Uint8Array(n);
  if (SLAB_SIZE - used < n) {
    slab = new Uint8Array(SLAB_SIZE);
    used = 0;
  }
  // Start every array on an 8-byte boundary: applyMask's word loop then needs no head bytes.
  const start = used;
  used = (used + n + 7) & ~7;
  return slab.subarray(start, start + n);
}

/**
 * An array of `n` bytes the caller writes in full before anyone reads it: a frame being encoded,
 * a payload unmasked into a copy, parts gathered into one. Small ones come from the slabs above;
 * bigger ones from the write allocator, `new Uint8Array(n)` unless the host installed another.
 *
 * Why: zeroing and allocating 64 KiB cost about half as much as masking it, and every byte is
 * overwritten at once. The Node server installs an allocator that carves unzeroed slabs
 * (app/server/frame-slabs.ts); the page keeps the default. Safe only because each caller writes
 * every byte: pool.test.ts checks each of them with an allocator that returns garbage.
 */
export function allocForWrite(n: number): Uint8Array {
  return n > POOLED_MAX ? writeAllocator(n) : allocBytes(n);
}

type Allocator = (n: number) => Uint8Array;

const zeroed: Allocator = (n) => new Uint8Array(n);
let writeAllocator: Allocator = zeroed;

/** Installs the allocator for big arrays of allocForWrite (undefined: back to `new Uint8Array`). */
export function useWriteAllocator(alloc: Allocator | undefined): void {
  writeAllocator = alloc ?? zeroed;
}
