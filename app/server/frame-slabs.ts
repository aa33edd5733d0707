/**
 * Memory for the engine's big arrays that are written in full at once (frames being encoded,
 * payloads unmasked into a copy, frames gathered across reads: `allocForWrite` in
 * app/protocol/pool.ts), carved from 256 KiB slabs that are not zeroed.
 *
 * Why: `new Uint8Array(64 KiB)` costs an ArrayBuffer, a malloc and zeroing every byte, about
 * half as long as masking those bytes, and every byte is overwritten at once. ws takes each
 * frame from Buffer.allocUnsafe (no zeroing, one allocation per frame); a slab takes one
 * allocation for three such frames.
 *
 * Safety and retention are slabs.ts's: no byte is handed out twice, and an array kept alive
 * keeps its slab alive (a view queued for a peer that reads slowly, say), so code that keeps
 * what it is given keeps a copy (services do: app/services/service.ts). That is why slabs are
 * no bigger: a view holds at most 64 times its bytes (4 KiB of a 256 KiB slab). 1 MiB slabs
 * encoded 64 KiB frames about as fast (bench/codec.ts against ws + bufferutil: median 1.28x,
 * against 1.21x with 256 KiB).
 */
import { useWriteAllocator } from '../protocol/pool.ts';
import { UnzeroedSlabs } from './slabs.ts';

const SLAB_SIZE = 256 * 1024;
/** Bigger arrays get memory of their own (still unzeroed). */
const SLAB_MAX = SLAB_SIZE / 2;

export function installFrameSlabs(): void {
  const slabs = new UnzeroedSlabs(SLAB_SIZE);
  useWriteAllocator((n) => {
    if (n > SLAB_MAX) {
      const own = Buffer.allocUnsafeSlow(n);
      return new Uint8Array(own.buffer, own.byteOffset, n);
    }
    // 8-byte aligned starts, as the small pool's: the masking loops need no head bytes.
    slabs.reserve(n);
    return slabs.take(n);
  });
}
