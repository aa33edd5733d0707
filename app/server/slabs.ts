/**
 * Unzeroed memory handed out as views of shared slabs, for arrays that are written in full as
 * soon as they are handed out (frame-slabs.ts: the engine's big frames; zlib-codec.ts: zlib's
 * output). One allocation serves many arrays, and no byte is zeroed first.
 *
 * Safety, as in the engine's pool (app/protocol/pool.ts): no byte is handed out twice. Each view
 * covers bytes no earlier view did, and a full slab is left to whoever still holds views of it
 * (a socket's write queue). The price is retention: a view kept alive keeps its whole slab alive.
 * Views are plain Uint8Arrays, never Buffers: what the engine hands out is never a Buffer.
 */
export class UnzeroedSlabs {
  readonly size: number;
  #slab: Buffer | undefined;
  #used: number;

  constructor(size: number) {
    this.size = size;
    this.#used = size;
  }

  /** Makes sure the current slab has `min` bytes left (starting a new one if not): the bytes it has. */
  reserve(min: number): number {
    if (this.#slab === undefined || this.size - this.#used < min) {
      this.#slab = Buffer.allocUnsafeSlow(this.size);
      this.#used = 0;
    }
    return this.size - this.#used;
  }

  /** The current slab, for a writer that learns its length only once it has written (zlib). */
  get slab(): Buffer {
    return this.#slab!;
  }

  /** Where in `slab` the next view starts. */
  get offset(): number {
    return this.#used;
  }

  /** The next `n` bytes (reserved first) as a view; the view after it starts 8-byte aligned. */
  take(n: number): Uint8Array {
    const slab = this.#slab!;
    const at = this.#used;
    this.#used = Math.min(this.size, (at + n + 7) & ~7);
    return new Uint8Array(slab.buffer, slab.byteOffset + at, n);
  }
}
